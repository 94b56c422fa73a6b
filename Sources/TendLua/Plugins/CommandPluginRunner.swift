import TendCore

/// Runs a command plugin: `run(args)` once, its result the exit code.
public enum CommandPluginRunner {
    /// `args` arrive as a Lua array of strings. `run` returns an integer exit code, or
    /// true / nothing (0), or false (1). A Lua error is thrown as `LuaError` (file:line).
    public static func run(_ plugin: LoadedPlugin, args: [String]) throws -> Int32 {
        let vm = plugin.host.vm
        return try vm.call(budget: 0, results: 1, push: { s in
            plugin.pushField("run")
            s.push(JSONValue.array(args.map { .string($0) }))
            return 1
        }, read: { s, first in
            if s.isNil(at: first) { return 0 }
            if let b = s.bool(at: first) { return b ? 0 : 1 }
            if let code = s.integer(at: first) { return Int32(clamping: min(max(code, 0), 255)) }
            plugin.pushField("run")
            let location = s.functionLocation() ?? plugin.path
            throw LuaError(kind: .badReturn,
                           message: "\(location): run must return an exit code (an integer), true/false or nothing; got \(s.describeValue(at: first))")
        })
    }
}
