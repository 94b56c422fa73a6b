import CLuaShim
import TendCore
import TendSystem

/// `tend.require(name)`: shared Lua libraries for plugins (`plugins/lib/NAME.lua`), found
/// on the same search path as plugins (the user's copy first) and never by a path, unlike
/// Lua's own `require`, whose `package.path` reaches the working directory and C modules.
/// Each library runs once per Lua state, in its own global table, and is cached.
enum RequireModule {
    /// Registry table of loaded libraries: name → value (or `loading` while it runs).
    static let cacheKey = "tend.libs"
    static let loading = "\u{1}loading"   // no NUL: lua_pushstring stops at one

    static let functions: [HostFunctionSpec] = [
        HostFunctionSpec("tend", "require", params: ["name: string"], returns: ["any"],
                         doc: "Loads the shared library `plugins/lib/NAME.lua` (the config dir's copy first, then the shipped one) once per Lua state and returns what it returns. A name, never a path.") { ctx in
            { call in
                let name = try call.string(1)
                if ScriptPaths.validateName(name, kind: .plugin) != nil {
                    throw LuaArgumentError(position: 1, function: call.function,
                                           problem: "'\(name)' is not a library name: give a name like 'memory', not a path")
                }
                let s = call.stack
                pushCache(s)
                let cache = s.top
                switch s.rawGet(cache, name) {
                case LUA_TNIL: s.pop()
                case _ where s.string(at: -1) == loading:
                    throw LuaHostError("library '\(name)' requires itself (circular tend.require)")
                default: return 1
                }
                let dirs = ctx.paths.directories(.plugin).map { "\($0)/lib" }
                guard let path = dirs.map({ "\($0)/\(name).lua" }).first(where: FileSystem.exists) else {
                    throw LuaHostError("no library '\(name)' (looked in \(dirs.joined(separator: ", ")))")
                }
                s.push(loading)
                s.rawSet(cache, name)
                do {
                    try run(path, s, vm: ctx.vm)
                } catch {
                    s.pushNil()
                    s.rawSet(cache, name)
                    throw error
                }
                if s.isNil(at: -1) { s.pop(); s.push(true) }   // as Lua's require: nil → true
                s.push(index: -1)
                s.rawSet(cache, name)
                return 1
            }
        },
    ]

    /// Pushes the cache table, creating it on first use.
    private static func pushCache(_ s: LuaStack) {
        if s.rawGet(LuaStack.registryIndex, cacheKey) != LUA_TTABLE {
            s.pop()
            s.newTable()
            s.push(index: -1)
            s.rawSet(LuaStack.registryIndex, cacheKey)
        }
    }

    /// Compiles and runs the file in a fresh global table; pushes its first result.
    /// Compiling through the VM keeps full paths in later error messages (Lua itself
    /// shortens long chunk names to `...tail`).
    private static func run(_ path: String, _ s: LuaStack, vm: LuaVM?) throws {
        guard let vm else { throw LuaHostError("tend.require: no Lua state") }
        let chunk: LuaRef
        do { chunk = try vm.compile(file: path) } catch let e as LuaError { throw LuaHostError(e.message) }
        s.push(chunk)
        vm.release(chunk)
        // Not vm.run: that would reset the caller's time budget from inside its call.
        s.pushScriptEnvironment()
        _ = tend_lua_set_env(s.L, -2)
        guard tend_lua_pcall_traceback(s.L, 0, 1) == LUA_OK else { throw LuaHostError(vm.expandChunkNames(popMessage(s))) }
    }

    /// The error message on top without Lua's traceback (the caller's error gets its own).
    private static func popMessage(_ s: LuaStack) -> String {
        let raw = s.string(at: -1) ?? "(error object is a \(s.typeName(at: -1)) value)"
        s.pop()
        return raw.firstRange(of: "\nstack traceback:").map { String(raw[..<$0.lowerBound]) } ?? raw
    }
}
