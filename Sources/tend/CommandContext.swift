import TendCore
import TendLua
import TendSystem

/// What most commands need: the home, the script paths, and the configured daemons.
struct CommandContext {
    let home: Home
    let paths: ScriptPaths

    init(_ global: GlobalOptions) {
        self.init(home: global.home, configDir: global.configDir)
    }

    /// From `--home` and `--config-dir` as given (nil: the environment's defaults).
    init(home explicitHome: String?, configDir: String?) {
        home = Home.resolve(explicit: explicitHome)
        paths = ScriptPaths.resolve(explicitConfigDir: configDir)
    }

    /// The daemons declared in daemons.lua (the user's, else the shipped default).
    func specs() throws -> [DaemonSpec] {
        try DaemonsConfig.loadSpecs(paths: paths)
    }

    /// Validates `requested` names against the configuration (or all with `all`).
    func selectNames(_ requested: [String], all: Bool, orAllWhenEmpty: Bool = false, from loaded: [DaemonSpec]? = nil) throws -> [String] {
        let known = try (loaded ?? specs()).map(\.name)
        if all || (orAllWhenEmpty && requested.isEmpty) { return known }
        if requested.isEmpty { throw CommandFailure("name at least one daemon, or use --all (known: \(known.joined(separator: ", ")))") }
        let unknown = requested.filter { !known.contains($0) }
        if !unknown.isEmpty {
            throw CommandFailure("unknown daemon: \(unknown.joined(separator: ", ")) (known: \(known.joined(separator: ", ")))")
        }
        return requested
    }

    /// Reaches the running monitor, starting a detached one first if none runs.
    func ensureMonitor(configDir: String?, monitorArguments: [String] = []) throws {
        if let pid = try MonitorConnection.ensure(home: home, configDir: configDir, monitorArguments: monitorArguments) {
            Output.problem("started a monitor (pid \(pid)) for \(home.root)")
        }
    }

    /// Sends a request to the monitor, starting one first if none runs, and prints one
    /// line per daemon; false if any failed.
    func request(_ request: ControlRequest, configDir: String?) throws -> Bool {
        let (response, launched) = try MonitorConnection.send(request, home: home, configDir: configDir)
        if let launched { Output.problem("started a monitor (pid \(launched)) for \(home.root)") }
        return try report(response)
    }

    /// Sends a request to the running monitor and prints one line per daemon; false if any failed.
    func sendAndReport(_ request: ControlRequest) throws -> Bool {
        try report(try ControlClient.send(request, home: home))
    }

    private func report(_ response: ControlResponse) throws -> Bool {
        if let error = response.error { throw CommandFailure(error) }
        for item in response.items {
            if item.ok { Output.line("\(item.daemon): \(item.message)") } else { Output.problem("\(item.daemon): \(item.message)") }
        }
        return response.ok
    }
}
