import CLuaShim
import TendCore

/// The body of a host function: reads its arguments from the call, pushes its results and
/// returns how many. A thrown error becomes a Lua error at the caller's line, raised by
/// the C trampoline after this Swift frame has returned (never a longjmp through Swift).
public typealias LuaHostBody = (LuaCall) throws -> Int32

/// The box a Lua closure points at (light userdata upvalue). The VM keeps every box
/// alive for as long as its state, so the pointer Lua holds never dangles.
final class LuaHostFunction {
    let name: String
    let body: LuaHostBody

    init(name: String, body: @escaping LuaHostBody) {
        self.name = name
        self.body = body
    }
}

/// Installed once per process with `tend_lua_set_dispatch`; the C trampoline calls it for
/// every host function. It must not raise: errors go back as -1 with the message on top.
private func luaDispatch(_ L: OpaquePointer?, _ box: UnsafeMutableRawPointer?) -> Int32 {
    guard let L, let box else { return 0 }
    let function = Unmanaged<LuaHostFunction>.fromOpaque(box).takeUnretainedValue()
    do {
        return try function.body(LuaCall(stack: LuaStack(L), function: function.name))
    } catch {
        // "file.lua:12: " of the Lua code that called us, then the message.
        luaL_where(L, 1)
        _ = lua_pushstring(L, String(describing: error))
        lua_concat(L, 2)
        return -1
    }
}

/// Evaluated once (a global `let` is lazy and thread-safe): installs the dispatcher.
let luaDispatchInstalled: Bool = {
    tend_lua_set_dispatch(luaDispatch)
    return true
}()

/// A wrong argument, worded as Lua's own `luaL_argerror`.
public struct LuaArgumentError: Error, CustomStringConvertible, Sendable {
    public var position: Int32
    public var function: String
    public var problem: String
    public var description: String { "bad argument #\(position) to '\(function)' (\(problem))" }
}

/// A plain error raised into Lua with this message (after `file:line: `).
public struct LuaHostError: Error, CustomStringConvertible, Sendable {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// One call of a host function: typed argument readers and result helpers.
public struct LuaCall {
    public let stack: LuaStack
    /// `tend.process.info`, for messages.
    public let function: String

    public var argumentCount: Int32 { stack.top }

    func bad(_ i: Int32, _ expected: String) -> LuaArgumentError {
        let got = stack.type(at: i) == LUA_TNONE ? "no value" : stack.typeName(at: i)
        return LuaArgumentError(position: i, function: function, problem: "\(expected) expected, got \(got)")
    }

    public func isNil(_ i: Int32) -> Bool { stack.isNil(at: i) }

    public func string(_ i: Int32) throws -> String {
        guard let s = stack.string(at: i) else { throw bad(i, "string") }
        return s
    }

    public func optionalString(_ i: Int32) throws -> String? {
        isNil(i) ? nil : try string(i)
    }

    public func number(_ i: Int32) throws -> Double {
        guard let d = stack.number(at: i) else { throw bad(i, "number") }
        return d
    }

    public func optionalNumber(_ i: Int32) throws -> Double? {
        isNil(i) ? nil : try number(i)
    }

    /// An integer (a float with an integral value is accepted, as Lua does).
    public func integer(_ i: Int32) throws -> Int64 {
        guard let v = stack.integer(at: i) else {
            if stack.number(at: i) != nil {
                throw LuaArgumentError(position: i, function: function, problem: "number has no integer representation")
            }
            throw bad(i, "integer")
        }
        return v
    }

    public func optionalInteger(_ i: Int32) throws -> Int64? {
        isNil(i) ? nil : try integer(i)
    }

    /// A PID: a positive integer that fits `pid_t`.
    public func pid(_ i: Int32) throws -> Int32 {
        let v = try integer(i)
        guard v > 0, v <= Int64(Int32.max) else {
            throw LuaArgumentError(position: i, function: function, problem: "a PID must be a positive integer, got \(v)")
        }
        return Int32(v)
    }

    public func bool(_ i: Int32) throws -> Bool {
        guard let b = stack.bool(at: i) else { throw bad(i, "boolean") }
        return b
    }

    /// Lua truthiness: only nil and false are false.
    public func truthy(_ i: Int32) -> Bool { lua_toboolean(stack.L, i) != 0 }

    /// A table argument converted to data (`nil` when absent and `optional`).
    public func data(_ i: Int32) throws -> JSONValue {
        do { return try stack.json(at: i, path: "argument #\(i)") }
        catch let e as LuaConversionError {
            throw LuaArgumentError(position: i, function: function, problem: e.description)
        }
    }

    public func table(_ i: Int32) throws -> JSONValue {
        guard stack.isTable(at: i) else { throw bad(i, "table") }
        return try data(i)
    }

    public func optionalTable(_ i: Int32) throws -> JSONValue? {
        isNil(i) ? nil : try table(i)
    }

    /// `{"a", "b"}` → ["a", "b"]; anything else is refused.
    public func stringArray(_ i: Int32) throws -> [String] {
        guard stack.isTable(at: i) else { throw bad(i, "table of strings") }
        let n = stack.rawLength(at: i)
        var result: [String] = []
        for k in 0..<n {
            stack.rawGet(i, k + 1)
            defer { stack.pop() }
            guard let s = stack.string(at: -1) else {
                throw LuaArgumentError(position: i, function: function,
                                       problem: "item \(k + 1) must be a string, got \(stack.typeName(at: -1))")
            }
            result.append(s)
        }
        return result
    }

    /// The `nil, "message"` return of an expected failure (mpv style).
    public func failure(_ message: String) -> Int32 {
        stack.pushNil()
        stack.push(message)
        return 2
    }
}
