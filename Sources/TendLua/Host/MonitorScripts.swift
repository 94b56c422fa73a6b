import TendCore

/// The monitor role's Lua state: one `LuaHost` that loads daemons.lua (inline health
/// functions live in it), the restart policies and the health checks. Script problems go
/// to health.log as `file:line: message`; the monitor keeps running on the last good
/// version (or the built-in policy).
public final class MonitorScripts {
    public let host: LuaHost
    public let restartPolicy: LuaRestartPolicy
    public let healthChecks: LuaHealthChecks

    public init(home: Home, paths: ScriptPaths) throws {
        host = try LuaHost(home: home, paths: paths, logName: DaemonName.reserved)
        let log = DaemonLogger(home: home, daemon: DaemonName.reserved)
        let report: ScriptProblemReporter = { message in
            try? log.healthEvent(event: "script_error", message: message, severity: .error)
        }
        restartPolicy = try LuaRestartPolicy(host: host, report: report)
        healthChecks = LuaHealthChecks(host: host, report: report)
    }

    /// Loads the daemon configuration in this state; a configuration with problems is
    /// refused as a whole (the caller keeps the previous one).
    public func loadSpecs() throws -> [DaemonSpec] {
        let config = try DaemonsConfig.load(paths: host.paths, host: host)
        guard config.isValid else {
            throw DaemonsConfigError.invalid(file: config.file, problems: config.problems)
        }
        restartPolicy.preload(Array(Set(config.specs.map(\.policy))))
        return config.specs
    }

    public func reload() {
        restartPolicy.reload()
        healthChecks.reload()
    }
}
