import CLuaShim

/// A view of one Lua thread's stack, with the few operations Swift needs.
///
/// Only non-raising Lua calls are used here (`lua_type`, `lua_to*`, `lua_raw*`, `lua_push*`,
/// `lua_next` on tables we do not modify): this code runs in Swift frames, which a
/// `longjmp` from `lua_error` must never unwind. Memory errors are the one exception Lua
/// itself cannot avoid; they end the process as any allocation failure would.
public struct LuaStack {
    public let L: OpaquePointer

    public init(_ L: OpaquePointer) { self.L = L }

    public static var registryIndex: Int32 { tend_lua_registryindex() }

    public var top: Int32 { lua_gettop(L) }
    public func setTop(_ n: Int32) { lua_settop(L, n) }
    public func pop(_ n: Int32 = 1) { tend_lua_pop(L, n) }
    public func absolute(_ index: Int32) -> Int32 { lua_absindex(L, index) }

    // MARK: Types

    public func type(at index: Int32) -> Int32 { lua_type(L, index) }
    public func isNil(at index: Int32) -> Bool { lua_type(L, index) <= LUA_TNIL }
    public func isTable(at index: Int32) -> Bool { lua_type(L, index) == LUA_TTABLE }
    public func isFunction(at index: Int32) -> Bool { lua_type(L, index) == LUA_TFUNCTION }

    /// `nil`, `number`, `string`, `table`, … as Lua's `type()` says (plus `integer`/`float`
    /// detail is not given: messages follow Lua's own wording).
    public func typeName(at index: Int32) -> String {
        String(cString: lua_typename(L, lua_type(L, index)))
    }

    // MARK: Reading scalars (nil when the value is not of that type)

    /// A string value (numbers are not converted: `lua_tolstring` would change the value
    /// in place and confuse `lua_next`).
    public func string(at index: Int32) -> String? {
        guard lua_type(L, index) == LUA_TSTRING else { return nil }
        var len = 0
        guard let p = tend_lua_tostring(L, index, &len) else { return nil }
        return p.withMemoryRebound(to: UInt8.self, capacity: len) {
            String(decoding: UnsafeBufferPointer(start: $0, count: len), as: UTF8.self)
        }
    }

    public func integer(at index: Int32) -> Int64? {
        guard lua_type(L, index) == LUA_TNUMBER else { return nil }
        var ok: Int32 = 0
        let v = lua_tointegerx(L, index, &ok)
        return ok != 0 ? Int64(v) : nil
    }

    public func number(at index: Int32) -> Double? {
        guard lua_type(L, index) == LUA_TNUMBER else { return nil }
        return Double(tend_lua_tonumber(L, index))
    }

    public func bool(at index: Int32) -> Bool? {
        guard lua_type(L, index) == LUA_TBOOLEAN else { return nil }
        return lua_toboolean(L, index) != 0
    }

    public func isInteger(at index: Int32) -> Bool { tend_lua_isinteger(L, index) != 0 }

    // MARK: Tables (raw access: no metamethods, so nothing can raise)

    /// Pushes `t[key]` for the table at `index` and returns its type.
    @discardableResult
    public func rawGet(_ index: Int32, _ key: String) -> Int32 {
        let t = absolute(index)
        lua_pushstring(L, key)
        return lua_rawget(L, t)
    }

    @discardableResult
    public func rawGet(_ index: Int32, _ i: Int) -> Int32 {
        lua_rawgeti(L, index, lua_Integer(i))
    }

    /// Pops the value on top into `t[key]` of the table at `index`.
    public func rawSet(_ index: Int32, _ key: String) {
        let t = absolute(index)
        lua_pushstring(L, key)
        tend_lua_insert(L, -2)
        lua_rawset(L, t)
    }

    public func rawSet(_ index: Int32, _ i: Int) {
        lua_rawseti(L, index, lua_Integer(i))
    }

    public func rawLength(at index: Int32) -> Int { Int(lua_rawlen(L, index)) }

    /// Pops a table from the top and makes it the metatable of the value at `index`.
    public func setMetatable(_ index: Int32) { _ = lua_setmetatable(L, index) }

    /// Visits every key/value pair of the table at `index`; key at -2, value at -1.
    /// The body must leave the stack as it found it.
    public func forEach(_ index: Int32, _ body: () throws -> Void) rethrows {
        let t = absolute(index)
        lua_pushnil(L)
        while lua_next(L, t) != 0 {
            do { try body() } catch { pop(2); throw error }
            pop(1)
        }
    }

    /// The string keys of the table at `index` (other keys are reported as `[key]`).
    public func keys(_ index: Int32) -> [String] {
        var result: [String] = []
        forEach(index) {
            result.append(string(at: -2) ?? "[\(describeKey(at: -2))]")
        }
        return result
    }

    /// A key for messages: strings as is, numbers printed, others by type.
    public func describeKey(at index: Int32) -> String {
        if let s = string(at: index) { return s }
        if let i = integer(at: index) { return String(i) }
        if let d = number(at: index) { return String(d) }
        return typeName(at: index)
    }

    // MARK: Pushing

    public func pushNil() { lua_pushnil(L) }
    /// Pushes a copy of the value at `index`.
    public func push(index: Int32) { lua_pushvalue(L, index) }
    public func push(_ s: String) { _ = lua_pushstring(L, s) }
    public func push(_ b: Bool) { lua_pushboolean(L, b ? 1 : 0) }
    public func push(_ d: Double) { lua_pushnumber(L, lua_Number(d)) }
    public func push(_ i: Int64) { lua_pushinteger(L, lua_Integer(i)) }
    public func push(_ i: Int) { lua_pushinteger(L, lua_Integer(i)) }
    public func push(_ i: Int32) { lua_pushinteger(L, lua_Integer(i)) }
    public func push(optional s: String?) { if let s { push(s) } else { pushNil() } }
    public func push(optional d: Double?) { if let d { push(d) } else { pushNil() } }
    public func push(optional i: Int32?) { if let i { push(i) } else { pushNil() } }

    /// A new table with room for `array` + `fields` entries.
    public func newTable(array: Int = 0, fields: Int = 0) {
        lua_createtable(L, Int32(array), Int32(fields))
    }

    /// Sets `t[key] = value` on the table on top. Keys are literals, pushed straight from
    /// static memory: these run for every field of every table a policy call builds.
    public func setField(_ key: StaticString, _ value: String?) { push(optional: value); setTop(key) }
    public func setField(_ key: StaticString, _ value: Double?) { push(optional: value); setTop(key) }
    public func setField(_ key: StaticString, _ value: Int64) { push(value); setTop(key) }
    public func setField(_ key: StaticString, _ value: Int) { push(value); setTop(key) }
    public func setField(_ key: StaticString, _ value: Int32?) { push(optional: value); setTop(key) }
    public func setField(_ key: StaticString, _ value: Bool) { push(value); setTop(key) }

    /// Pops the value on top into `t[key]` of the table just below it.
    private func setTop(_ key: StaticString) {
        key.withUTF8Buffer { buf in
            buf.withMemoryRebound(to: CChar.self) { _ = lua_pushlstring(L, $0.baseAddress, $0.count) }
        }
        tend_lua_insert(L, -2)
        lua_rawset(L, -3)
    }

    /// Room for `n` more slots; false when Lua cannot grow the stack (deep recursion).
    public func ensure(_ n: Int32) -> Bool { lua_checkstack(L, n) != 0 }

    // MARK: Registry references

    /// Pops the top value into the registry and returns its reference.
    public func ref() -> LuaRef { LuaRef(id: luaL_ref(L, tend_lua_registryindex())) }
    public func push(_ ref: LuaRef) { lua_rawgeti(L, tend_lua_registryindex(), lua_Integer(ref.id)) }
    public func unref(_ ref: LuaRef) { luaL_unref(L, tend_lua_registryindex(), ref.id) }
}

/// A Lua value kept alive in the registry (functions, tables the host calls later).
public struct LuaRef: Hashable, Sendable {
    public let id: Int32
}
