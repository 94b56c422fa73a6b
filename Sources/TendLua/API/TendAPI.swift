import TendCore

/// The `tend` module: the single list of every host function Lua sees. The installer,
/// `docs/lua-api.md` and `docs/tend.meta.lua` are all made from it.
public enum TendAPI {
    /// Submodules in the order the reference documents them.
    public static let modules: [(name: String, doc: String)] = [
        ("tend", "Where things are."),
        ("tend.process", "Processes: read them from the kernel, signal only verified ones, run short commands."),
        ("tend.pid", "The home's PID files (`.pids/NAME.pid`) and their verification (PID + start time)."),
        ("tend.log", "Structured JSON Lines records for the daemon this Lua state runs for (the seed's logger)."),
        ("tend.fs", "Files. Expected failures return `nil, message`."),
        ("tend.json", "JSON text ⇄ Lua values."),
        ("tend.time", "Clocks and sleeping."),
        ("tend.net", "Network probes."),
        ("tend.daemons", "The configured daemons: status and health from the state files, start/stop/restart through the monitor."),
    ]

    public static let functions: [HostFunctionSpec] =
        TopModule.functions + ProcessModule.functions + PidModule.functions + LogModule.functions
        + FsModule.functions + JsonModule.functions + TimeModule.functions + NetModule.functions
        + RequireModule.functions + FsHashModule.functions + DaemonsModule.functions

    public static let types: [HostTypeSpec] = ProcessModule.types + PidModule.types + FsModule.types
        + DaemonsModule.types

    /// Builds the `tend` table from the registry, makes it the global `tend` and what
    /// `require("tend")` returns.
    static func install(into vm: LuaVM, context: TendContext) {
        let s = vm.stack
        s.newTable()
        let root = s.top
        for (module, _) in modules where module != "tend" {
            s.newTable()
            s.rawSet(root, String(module.dropFirst("tend.".count)))
        }
        for spec in functions {
            let table: Int32
            if spec.module == "tend" {
                table = root
            } else {
                s.rawGet(root, String(spec.module.dropFirst("tend.".count)))
                table = s.top
            }
            vm.pushHostFunction(name: spec.qualifiedName, DryRun.body(spec, context))
            s.rawSet(table, spec.name)
            if table != root { s.pop() }
        }
        // package.loaded.tend, so require("tend") finds it without a searcher.
        s.rawGet(LuaStack.registryIndex, "_LOADED")
        s.push(index: root)
        s.rawSet(-2, "tend")
        s.pop()
        vm.setGlobal("tend")
    }
}
