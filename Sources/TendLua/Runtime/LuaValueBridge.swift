import CLuaShim
import TendCore

/// Why a Lua value could not become JSON (a function, a cycle, a boolean key, …).
public struct LuaConversionError: Error, CustomStringConvertible, Sendable {
    /// Where in the value: `value`, `value.fields[2]`, …
    public var path: String
    public var problem: String
    public var description: String { "\(path): \(problem)" }
}

/// Lua value ⇄ `JSONValue`. Tables whose keys are exactly 1…n become arrays; other
/// tables become objects (integer keys written as strings; an empty table is an object,
/// unless its metatable has `__jsonarray = true`: JSON `[]` comes back as such a table, so
/// an empty list survives a read-modify-write). JSON `null` becomes `nil` (so in arrays it
/// leaves a hole, as in most Lua JSON libraries).
extension LuaStack {
    /// Deeper than this is treated as a cycle: real data is never that deep.
    static let maxDepth = 100

    public func push(_ value: JSONValue) {
        // Each level uses at most 3 slots; refuse silently deeper than Lua can hold
        // (cannot happen for values that came from Lua or from our JSON parser).
        guard ensure(3) else { pushNil(); return }
        switch value {
        case .null: pushNil()
        case .bool(let b): push(b)
        case .int(let i): push(i)
        case .double(let d): push(d)
        case .string(let s): push(s)
        case .array(let items):
            newTable(array: items.count)
            if items.isEmpty { markEmptyArray() }
            for (i, item) in items.enumerated() {
                push(item)
                rawSet(-2, i + 1)
            }
        case .object(let fields):
            newTable(fields: fields.count)
            for (key, item) in fields.sorted(by: { $0.key < $1.key }) {
                push(item)
                rawSet(-2, key)
            }
        }
    }

    /// Gives the (empty) table on top the `__jsonarray` metatable, so it encodes as `[]`.
    func markEmptyArray() {
        newTable(fields: 1)
        push(true)
        rawSet(-2, "__jsonarray")
        setMetatable(-2)
    }

    /// True when the table at `index` has a metatable with `__jsonarray = true`.
    private func isMarkedArray(_ index: Int32) -> Bool {
        guard lua_getmetatable(L, index) != 0 else { return false }
        defer { pop() }
        rawGet(-1, "__jsonarray")
        defer { pop() }
        return bool(at: -1) == true
    }

    public func setField(_ key: StaticString, _ value: JSONValue) {
        push(value)
        push(key.description)
        tend_lua_insert(L, -2)
        lua_rawset(L, -3)
    }

    /// The value at `index` as JSON; throws for functions, userdata, threads, cycles and
    /// keys that are neither strings nor integers.
    public func json(at index: Int32, path: String = "value") throws -> JSONValue {
        try json(at: absolute(index), path: path, depth: 0)
    }

    private func json(at index: Int32, path: String, depth: Int) throws -> JSONValue {
        switch type(at: index) {
        case LUA_TNIL, LUA_TNONE: return .null
        case LUA_TBOOLEAN: return .bool(bool(at: index)!)
        case LUA_TNUMBER:
            if isInteger(at: index), let i = integer(at: index) { return .int(i) }
            return .double(number(at: index)!)
        case LUA_TSTRING: return .string(string(at: index)!)
        case LUA_TTABLE:
            guard depth < Self.maxDepth, ensure(4) else {
                throw LuaConversionError(path: path, problem: "nested more than \(Self.maxDepth) levels (a table that contains itself?)")
            }
            return try table(at: index, path: path, depth: depth)
        default:
            throw LuaConversionError(path: path, problem: "a \(typeName(at: index)) cannot be converted to data (only nil, booleans, numbers, strings and tables)")
        }
    }

    private func table(at index: Int32, path: String, depth: Int) throws -> JSONValue {
        var count = 0
        var isArray = true
        forEach(index) {
            count += 1
            if isArray, !(isInteger(at: -2) && type(at: -2) == LUA_TNUMBER) { isArray = false }
        }
        if count > 0 && isArray {
            // Keys are all integers; an array only if they are exactly 1…count.
            var items: [JSONValue] = []
            items.reserveCapacity(count)
            for i in 1...count {
                if rawGet(index, i) == LUA_TNIL { pop(); isArray = false; break }
                defer { pop() }
                items.append(try json(at: absolute(-1), path: "\(path)[\(i)]", depth: depth + 1))
            }
            if isArray { return .array(items) }
        }
        if count == 0 && isMarkedArray(index) { return .array([]) }
        var fields: [String: JSONValue] = [:]
        try forEach(index) {
            let key: String
            if let s = string(at: -2) { key = s }
            else if type(at: -2) == LUA_TNUMBER, isInteger(at: -2), let i = integer(at: -2) { key = String(i) }
            else { throw LuaConversionError(path: path, problem: "a \(typeName(at: -2)) key cannot be converted to data (use string keys)") }
            fields[key] = try json(at: absolute(-1), path: "\(path).\(key)", depth: depth + 1)
        }
        return .object(fields)
    }
}
