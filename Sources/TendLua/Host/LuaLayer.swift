import CLuaShim
import TendCore

/// The part of the host written in Lua (`Sources/TendLua/lua/`, compiled into the binary),
/// run once per `LuaHost` as Neovim runs its runtime files: Swift keeps the primitives,
/// users can read the rest.
final class LuaLayer {
    /// The environments a script can run in (environments.lua).
    enum Environment: String {
        /// Lua's whole library: plugins and the startup sequence, in processes of their own.
        case full
    }

    /// The metatable of restart-history tables (`history:since(t)`): history.lua.
    let historyMethods: LuaRef
    /// collector.lua's factory: a fresh `daemon` function and its list, per load of daemons.lua.
    let collector: LuaRef
    /// environments.lua's table: `new(meta)` and the metatable of each environment.
    private let environments: LuaRef
    private let vm: LuaVM

    init(vm: LuaVM, context: TendContext) throws {
        self.vm = vm
        historyMethods = try vm.run(.history)
        collector = try vm.run(.collector)
        environments = try vm.run(.environments)
        try installRequire(context)
    }

    deinit {
        for ref in [historyMethods, collector, environments] { vm.release(ref) }
    }

    /// A fresh global table for one script in `environment`.
    func newEnvironment(_ environment: Environment) throws -> LuaRef {
        try vm.callTrusted(results: 1) { s in
            pushEnvironmentNew(s)
            pushMetatable(environment, s)
            return 1
        }[0]
    }

    private func pushEnvironmentNew(_ s: LuaStack) {
        s.push(environments)
        s.rawGet(-1, "new")
        tend_lua_remove(s.L, -2)
    }

    private func pushMetatable(_ environment: Environment, _ s: LuaStack) {
        s.push(environments)
        s.rawGet(-1, environment.rawValue)
        tend_lua_remove(s.L, -2)
    }

    /// require.lua: `tend.require` for the full environment, whose library lookup it adds
    /// to `package.searchers`.
    private func installRequire(_ context: TendContext) throws {
        let factory = try vm.run(.require) { [vm] s in
            vm.pushHostFunction(name: "tend.require (locate)", RequireModule.locate(context))
            vm.pushHostFunction(name: "tend.require (compile)", RequireModule.compile(vm))
            self.pushEnvironmentNew(s)
            return 3
        }
        defer { vm.release(factory) }
        let require = try vm.callTrusted(results: 1) { s in
            s.push(factory)
            self.pushMetatable(.full, s)
            return 1
        }[0]
        defer { vm.release(require) }
        let s = vm.stack
        s.rawGet(LuaStack.registryIndex, "_LOADED")
        s.rawGet(-1, "tend")
        s.push(require)
        s.rawSet(-2, "require")
        s.pop(2)
    }
}
