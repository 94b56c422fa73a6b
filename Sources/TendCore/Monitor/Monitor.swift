import TendSystem
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The supervisor: parent of the daemons it starts, watcher of those it adopts. One
/// `poll` loop waits on signals (SIGCHLD, SIGTERM, SIGHUP via a self-pipe), the control
/// socket, the daemons' output FIFOs and the exit descriptors of adopted processes; the
/// timeout is the next deadline (a scheduled restart, a stop timeout, a health round).
/// Nothing polls `kill(pid, 0)`.
public final class Monitor {
    public struct Options: Sendable {
        /// Seconds between health-check rounds and script reloads (the seed's 300).
        public var interval: Double = 300
        public var rotation: RotationOptions = .fromEnvironment()
        /// Added to the environment of every daemon (e.g. `TEND_CONFIG_DIR`, so plugin
        /// daemons find the same scripts as the monitor).
        public var daemonEnvironment: [String: String] = [:]
        /// Called once the monitor holds the home and has adopted what runs (with the
        /// number of configured daemons): the foreground command's greeting.
        public var onStarted: (@Sendable (Int) -> Void)?
        public init() {}
    }

    let home: Home
    let tendExecutable: String
    let options: Options
    let loadSpecs: () throws -> [DaemonSpec]
    var policy: any RestartPolicy
    var health: any HealthChecker
    let reloadScripts: () -> Void
    let monitorLog: DaemonLogger

    var order: [String] = []
    var daemons: [String: DaemonRuntime] = [:]
    var baseEnvironment: [String: String]
    var pendingReplies: [PendingReply] = []
    var nextHealthRound: Double = 0
    var stopRequested = false
    /// The signal self-pipe while `run` runs (nil for `runOnce`).
    var signals: SignalPipe?

    /// - Parameters:
    ///   - loadSpecs: reads the daemon configuration (called at start and on reload).
    ///   - reloadScripts: re-reads policies and health checks (SIGHUP, each round).
    public init(home: Home, tendExecutable: String, options: Options = Options(),
                loadSpecs: @escaping () throws -> [DaemonSpec],
                policy: any RestartPolicy, health: any HealthChecker, reloadScripts: @escaping () -> Void = {}) {
        self.home = home
        self.tendExecutable = tendExecutable
        self.options = options
        self.loadSpecs = loadSpecs
        self.policy = policy
        self.health = health
        self.reloadScripts = reloadScripts
        self.monitorLog = DaemonLogger(home: home, daemon: DaemonName.reserved, rotation: options.rotation)
        self.baseEnvironment = Spawner.currentEnvironment()
        baseEnvironment["TEND_HOME"] = home.root
        for (k, v) in options.daemonEnvironment { baseEnvironment[k] = v }
    }

    public enum Failure: Error, CustomStringConvertible {
        case alreadyRunning(home: String, pid: Int32?)
        public var description: String {
            switch self {
            case .alreadyRunning(let home, let pid):
                return "a monitor already runs for \(home)" + (pid.map { " (pid \($0))" } ?? "")
            }
        }
    }

    // MARK: - Running

    /// Runs until SIGTERM or SIGINT. Daemons keep running when it returns.
    public func run() throws {
        try home.prepare()
        guard let lock = try MonitorProcess.claim(home) else {
            throw Failure.alreadyRunning(home: home.root, pid: MonitorProcess.running(home)?.pid)
        }
        defer { MonitorProcess.release(home, lock: lock) }
        // Bind first, so clients queue on the socket while we adopt.
        let listener = try UnixSocket.listen(at: home.monitorSocket)
        defer { closeFD(listener) }
        SignalPipe.ignore(SIGPIPE)
        let signals = try SignalPipe([SIGCHLD, SIGTERM, SIGINT, SIGHUP])
        self.signals = signals

        nextHealthRound = Clock.monotonic() + options.interval
        try reconcile(adopting: true)
        try? monitorLog.startup(pid: getpid())
        flush()
        options.onStarted?(order.count)

        while !stopRequested {
            let fds = [signals.fd, listener] + watchedDescriptors()
            let ready = Set(Poller.waitReadable(fds, timeout: nextTimeout()))
            if ready.contains(signals.fd) { handleSignals(signals.drain()) }
            for rt in daemons.values {
                if rt.outputFD >= 0 && ready.contains(rt.outputFD) { drainOutput(rt) }
                if rt.exitWatchFD >= 0 && ready.contains(rt.exitWatchFD) { adoptedProcessExited(rt) }
            }
            if ready.contains(listener) { acceptClients(listener) }
            fireDeadlines()
            if Clock.monotonic() >= nextHealthRound { healthRound() }
            flush()
            answerPendingReplies()
        }
        for rt in daemons.values { drainOutput(rt) }
        try? monitorLog.shutdown(reason: "signal; \(daemons.values.filter { $0.pid != nil }.count) daemons left running")
        flush()
    }

    /// One cycle without staying: finds dead daemons that are wanted up (stale PID, no PID
    /// file, unknown), restarts them through the policy, runs the health checks, exits.
    /// Returns one line per action taken.
    public func runOnce() throws -> [String] {
        try home.prepare()
        guard let lock = try MonitorProcess.claim(home) else {
            throw Failure.alreadyRunning(home: home.root, pid: MonitorProcess.running(home)?.pid)
        }
        defer { MonitorProcess.release(home, lock: lock) }
        SignalPipe.ignore(SIGPIPE)
        actionLog = []
        try reconcile(adopting: false)
        fireDeadlines()
        healthRound()
        for rt in daemons.values { drainOutput(rt) }
        flush()
        for rt in daemons.values where rt.outputFD >= 0 { closeFD(rt.outputFD); rt.outputFD = -1 }
        return actionLog ?? []
    }

    /// Lines describing what `runOnce` did; nil while running as a long-lived monitor.
    var actionLog: [String]?

    func say(_ line: String) { actionLog?.append(line) }

    // MARK: - The loop's pieces

    func watchedDescriptors() -> [Int32] {
        var fds: [Int32] = []
        for rt in daemons.values {
            if rt.outputFD >= 0 { fds.append(rt.outputFD) }
            if rt.exitWatchFD >= 0 { fds.append(rt.exitWatchFD) }
        }
        return fds
    }

    func nextTimeout() -> Double? {
        let now = Clock.now()
        var soonest = nextHealthRound - Clock.monotonic()
        for rt in daemons.values {
            if let d = Supervision.deadline(of: rt.phase) { soonest = min(soonest, d - now) }
        }
        for pending in pendingReplies { soonest = min(soonest, pending.deadline - now) }
        return max(0, soonest)
    }

    func handleSignals(_ signals: Set<Int32>) {
        if signals.contains(SIGCHLD) { reapChildren() }
        if signals.contains(SIGHUP) { reload(reason: "SIGHUP") }
        if signals.contains(SIGTERM) || signals.contains(SIGINT) { stopRequested = true }
    }

    func reapChildren() {
        let now = Clock.now()
        for child in Reaper.reapAll() {
            guard let rt = daemons.values.first(where: { $0.pid == child.pid }) else { continue }
            let uptime = rt.record.startedAt.map { now - $0 }
            drainOutput(rt)
            handle(rt, .exited(ExitInfo.fromWaitStatus(child.status, at: now, uptime: uptime, pid: child.pid)))
        }
    }

    func adoptedProcessExited(_ rt: DaemonRuntime) {
        closeFD(rt.exitWatchFD)
        rt.exitWatchFD = -1
        guard let pid = rt.pid else { return }
        let now = Clock.now()
        drainOutput(rt)
        handle(rt, .exited(ExitInfo(cause: .exitedUnknown, at: now, uptime: rt.record.startedAt.map { now - $0 }, pid: pid)))
    }

    func fireDeadlines() {
        let now = Clock.now()
        // Every runtime, not only the configured ones: a daemon removed from daemons.lua
        // while being stopped still needs its SIGKILL.
        for rt in daemons.values {
            guard let d = Supervision.deadline(of: rt.phase), d <= now else { continue }
            handle(rt, .tick(now: now))
        }
    }

    func drainOutput(_ rt: DaemonRuntime) {
        guard rt.outputFD >= 0 else { return }
        let bytes = Fifo.drain(rt.outputFD)
        guard !bytes.isEmpty else { return }
        let lines = rt.assembler.feed(bytes)
        if !lines.isEmpty { try? rt.logger.captured(lines: lines) }
    }

    /// Reloads the configuration and the scripts; a bad configuration keeps the old one.
    /// Returns the problem, if any.
    @discardableResult
    func reload(reason: String) -> String? {
        reloadScripts()
        do {
            try applySpecs(try loadSpecs())
            try? monitorLog.info("configuration reloaded (\(reason))", fields: ["daemons": .int(Int64(order.count))])
            return nil
        } catch {
            let problem = "configuration not reloaded, the previous one stays in force: \(error)"
            try? monitorLog.error(problem, fields: [:])
            return problem
        }
    }

    /// Writes what changed: records, PID files, histories (after the urgent work is done,
    /// so a restart never waits for the disk).
    func flush() {
        for rt in daemons.values {
            if !rt.pendingLog.isEmpty {
                do {
                    try rt.logger.write(rt.pendingLog)
                    rt.pendingLog.removeAll()
                } catch {
                    reportWriteFailure("log of \(rt.name)", error)
                    // Kept for the next flush, but bounded: a full disk must not fill memory.
                    if rt.pendingLog.count > 10_000 { rt.pendingLog.removeFirst(rt.pendingLog.count - 10_000) }
                }
            }
            if rt.dirty {
                do {
                    try rt.saveRecord(home)
                    rt.dirty = false
                } catch { reportWriteFailure("state of \(rt.name)", error) }
            }
            if rt.historyDirty {
                do {
                    try rt.history.save(home, rt.name)
                    rt.historyDirty = false
                } catch { reportWriteFailure("history of \(rt.name)", error) }
            }
        }
    }

    /// A write failed (full disk, permissions): say so in the monitor's log and on
    /// stderr, keep running; the in-memory state stays right and is written next time.
    func reportWriteFailure(_ what: String, _ error: Error) {
        let message = "cannot write \(what): \(error)"
        try? monitorLog.error(message, fields: [:])
        var err = ""
        err += "tend monitor: \(message)\n"
        try? FileSystem.writeAll(2, Array(err.utf8))
    }
}
