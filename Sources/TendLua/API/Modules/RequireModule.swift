import CLuaShim
import TendCore

/// `tend.require(name)`: written in Lua (`Sources/TendLua/lua/require.lua`, a
/// `package.searchers` entry for `plugins/lib/NAME.lua`). Here: its entry in the
/// registry, and the two primitives require.lua is given.
enum RequireModule {
    static let functions: [HostFunctionSpec] = [
        HostFunctionSpec(lua: "tend", "require", params: ["name: string"], returns: ["any"],
                         doc: "Loads the shared library `plugins/lib/NAME.lua` (the config dir's copy first, then the shipped one) once per Lua state and returns what it returns. A name, never a path. In plugins, `require(NAME)` finds the same files."),
    ]

    /// `locate(name) -> path | nil, why`: the library file that wins for a name.
    static func locate(_ context: TendContext) -> LuaHostBody {
        { call in
            let name = try call.string(1)
            switch context.paths.locate(name, kind: .library) {
            case .found(let path): call.stack.push(path); return 1
            case .refused(let problem): return call.failure(problem)
            case .missing: return call.failure(context.paths.notFound(name, kind: .library))
            }
        }
    }

    /// `compile(path, env) -> chunk | nil, error`: compiled through the VM, which checks
    /// the file and keeps its full path for messages (Lua shortens long chunk names).
    static func compile(_ vm: LuaVM) -> LuaHostBody {
        { [unowned vm] call in
            let path = try call.string(1)
            do { try vm.load(file: path) } catch let e as LuaError { return call.failure(e.message) }
            call.stack.push(index: 2)
            _ = tend_lua_set_env(call.stack.L, -2)
            return 1
        }
    }
}
