import TendCore

/// What the `tend` module's functions act on: the home (PID files, logs), the script
/// search path, and the name `tend.log` writes under. One per `LuaHost`.
public final class TendContext {
    public let home: Home
    public let paths: ScriptPaths
    /// The daemon (or role, e.g. `monitor`) that `tend.log` records are written for.
    public let logName: String

    public init(home: Home, paths: ScriptPaths, logName: String) {
        self.home = home
        self.paths = paths
        self.logName = logName
    }

    /// Made on first use: scripts that never log open no log files.
    public private(set) lazy var logger = DaemonLogger(home: home, daemon: logName)

    /// daemons.lua's names, read once for `tend.daemons`.
    var daemonNames: [String]?
}
