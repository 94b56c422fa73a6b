import TendSystem
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The state directory of one Tend installation, in the seed's layout:
///
///     .pids/NAME.pid          the PID, one line
///     .state/NAME.json        identity record + wanted state + last exit
///     .restarts/NAME.json     restart history, newest 100 events
///     .fifo/NAME              the daemon's output pipe (read by the monitor)
///     .fifo/NAME.stdout|stderr the daemon's output pipes (read by the log writer, `tend __logd`)
///     .run/capture/NAME.STREAM the log writer's commit record and tally per pipe
///     logd.pid / logd.lock / .run/logd.json / logs/logd.log   the log writer process
///     logs/daemons/NAME.log   the daemon's output and lifecycle events
///     logs/health.log         health events, errors and criticals of every daemon
///     logs/policy-hits.log    every decision a policy took
///     .run/monitor.json       the monitor's identity (monitor.pid holds its PID alone)
///     monitor.sock / monitor.pid / monitor.lock / logs/monitor.log
public struct Home: Sendable, Equatable {
    public let root: String

    public init(root: String) {
        var r = FileSystem.absolute(root)
        while r.count > 1 && r.hasSuffix("/") { r.removeLast() }
        self.root = r
    }

    /// `--home`, else `$TEND_HOME`, else `$XDG_STATE_HOME/tend`, else `~/.local/state/tend`.
    public static func resolve(explicit: String?, environment: Environment = .current) -> Home {
        if let explicit, !explicit.isEmpty { return Home(root: explicit) }
        if let env = environment["TEND_HOME"], !env.isEmpty { return Home(root: env) }
        if let xdg = environment["XDG_STATE_HOME"], !xdg.isEmpty { return Home(root: "\(xdg)/tend") }
        return Home(root: "\(userHome(environment))/.local/state/tend")
    }

    /// `$HOME`, else the password database's entry, else /tmp.
    public static func userHome(_ environment: Environment = .current) -> String {
        if let h = environment["HOME"], !h.isEmpty { return h }
        if let pw = getpwuid(getuid()), let dir = pw.pointee.pw_dir { return String(cString: dir) }
        return "/tmp"
    }

    public var pidsDir: String { "\(root)/.pids" }
    public var stateDir: String { "\(root)/.state" }
    public var restartsDir: String { "\(root)/.restarts" }
    public var fifoDir: String { "\(root)/.fifo" }
    /// Small records of Tend's own processes (the monitor's identity, …).
    public var runDir: String { "\(root)/.run" }
    /// The monitor's identity (PID + start time); `monitor.pid` holds the PID alone.
    public var monitorRecord: String { "\(root)/.run/monitor.json" }
    public var logsDir: String { "\(root)/logs" }
    public var daemonLogsDir: String { "\(root)/logs/daemons" }
    public var healthLog: String { "\(root)/logs/health.log" }
    public var policyHitsLog: String { "\(root)/logs/policy-hits.log" }
    public var monitorLog: String { "\(root)/logs/monitor.log" }
    public var monitorSocket: String { "\(root)/monitor.sock" }
    public var monitorPidFile: String { "\(root)/monitor.pid" }
    public var monitorLock: String { "\(root)/monitor.lock" }
    public var captureStateDir: String { "\(root)/.run/capture" }
    public var logWriterLock: String { "\(root)/logd.lock" }
    public var logWriterPidFile: String { "\(root)/logd.pid" }
    public var logWriterRecord: String { "\(root)/.run/logd.json" }
    public var logWriterLog: String { "\(root)/logs/logd.log" }

    public func pidFile(_ daemon: String) -> String { "\(pidsDir)/\(daemon).pid" }
    public func stateFile(_ daemon: String) -> String { "\(stateDir)/\(daemon).json" }
    public func historyFile(_ daemon: String) -> String { "\(restartsDir)/\(daemon).json" }
    public func daemonLog(_ daemon: String) -> String { "\(daemonLogsDir)/\(daemon).log" }

    public struct AccessDenied: Error, CustomStringConvertible {
        public let description: String
    }

    /// Why this user may not use the home: it belongs to someone else (root may read any).
    /// nil when it may, or when there is no home yet.
    public func accessProblem() -> String? {
        guard let info = FileSystem.info(root) else { return nil }
        let me = getuid()
        guard info.owner != me, me != 0 else { return nil }
        return "permission denied: \(root) belongs to uid \(info.owner), not to you (uid \(me)); a Tend home is its owner's alone"
    }

    /// Creates the home (mode 0700: state and the control socket are the owner's alone)
    /// and its folders. An existing home that others may enter is tightened to 0700, with a
    /// word on stderr; one that belongs to another user is refused.
    public func prepare() throws {
        if let info = FileSystem.info(root), info.isDirectory {
            if let problem = accessProblem() { throw AccessDenied(description: problem) }
            if info.mode & 0o077 != 0 {
                try FileSystem.setMode(root, 0o700)
                let was = String(info.mode & 0o777, radix: 8)
                try? FileSystem.writeAll(2, Array("tend: \(root) was open to others (mode 0\(was)); tightened to 0700\n".utf8))
            }
        } else {
            try FileSystem.makeDirectory(root, mode: 0o700)
            try FileSystem.setMode(root, 0o700)
        }
        for dir in [pidsDir, stateDir, restartsDir, fifoDir, runDir, logsDir, daemonLogsDir] {
            try FileSystem.makeDirectory(dir, mode: 0o700)
        }
    }
}
