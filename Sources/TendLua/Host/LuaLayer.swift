import CLuaShim
import TendCore

/// The environment a script runs in (Sources/TendLua/lua/environments.lua).
public enum ScriptEnvironment: String, Sendable {
    /// Restart policies, health checks and daemons.lua: no way to end, block or replace the
    /// process, to write files outside `tend.fs`, or to load code from elsewhere.
    case sandbox
    /// Lua's whole library: plugins and the startup sequence, in processes of their own.
    case full
}

/// The part of the host written in Lua (`Sources/TendLua/lua/`, compiled into the binary),
/// run once per `LuaHost` as Neovim runs its runtime files: Swift keeps the primitives,
/// users can read the rest.
final class LuaLayer {
    /// The metatable of restart-history tables (`history:since(t)`): history.lua.
    let historyMethods: LuaRef
    /// collector.lua's factory: a fresh `daemon` function and its list, per load of daemons.lua.
    let collector: LuaRef
    /// environments.lua's table: `new(meta)`, the metatable of each environment, the bases.
    private let environments: LuaRef
    private let vm: LuaVM

    init(vm: LuaVM, context: TendContext) throws {
        self.vm = vm
        historyMethods = try vm.run(.history)
        collector = try vm.run(.collector)
        let makeRequire = try vm.run(.require) { [vm] s in
            vm.pushHostFunction(name: "tend.require (locate)", RequireModule.locate(context))
            vm.pushHostFunction(name: "tend.require (compile)", RequireModule.compile(vm))
            return 2
        }
        defer { vm.release(makeRequire) }
        environments = try vm.run(.environments) { s in
            tend_lua_push_sync_hook(s.L)
            s.push(makeRequire)
            return 2
        }
    }

    deinit {
        for ref in [historyMethods, collector, environments] { vm.release(ref) }
    }

    /// A fresh global table for one script in `environment`.
    func newEnvironment(_ environment: ScriptEnvironment) throws -> LuaRef {
        try vm.callTrusted(results: 1) { s in
            pushField("new", s)
            pushField(environment.rawValue, s)
            return 1
        }[0]
    }

    /// Pushes the base table of `environment` (what its scripts see as globals).
    func pushBase(_ environment: ScriptEnvironment, _ s: LuaStack) {
        pushField("bases", s)
        s.rawGet(-1, environment.rawValue)
        tend_lua_remove(s.L, -2)
    }

    private func pushField(_ key: String, _ s: LuaStack) {
        s.push(environments)
        s.rawGet(-1, key)
        tend_lua_remove(s.L, -2)
    }
}
