import TendCore

/// What the `tend` module's functions act on: the home (PID files, logs), the script
/// search path, and the name `tend.log` writes under. One per `LuaHost`.
public final class TendContext {
    public let home: Home
    public let paths: ScriptPaths
    /// The daemon (or role, e.g. `monitor`) that `tend.log` records are written for.
    public let logName: String

    /// Set for a dry run: `tend.log` records are kept here instead of written, and the
    /// functions that change things do nothing (see `DryRun`).
    public let dryRun: LogCapture?

    public init(home: Home, paths: ScriptPaths, logName: String, dryRun: LogCapture? = nil) {
        self.home = home
        self.paths = paths
        self.logName = logName
        self.dryRun = dryRun
    }

    /// Made on first use: scripts that never log open no log files.
    public private(set) lazy var logger = DaemonLogger(home: home, daemon: logName, capture: dryRun)

    /// daemons.lua's names, read once for `tend.daemons`.
    var declaredSpecs: [DaemonSpec]?

    /// The VM these functions are installed in (weak: the VM's host owns both), for host
    /// functions that compile Lua themselves (`tend.require`).
    weak var vm: LuaVM?
}
