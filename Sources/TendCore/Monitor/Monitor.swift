import TendSystem
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A part of the monitor with descriptors of its own for the loop to wait on and
/// deadlines of its own (the script workers).
public protocol LoopParticipant: AnyObject {
    var descriptors: [Int32] { get }
    func readable(_ fd: Int32)
    /// Monotonic time of its next deadline, if any.
    var nextDeadline: Double? { get }
    func fireDeadlines(now: Double)
    /// A child exited: true if it was one of this participant's processes.
    func reaped(pid: Int32, status: Int32) -> Bool
    /// Its processes (children of the monitor that are no daemon's).
    var processIDs: [Int32] { get }
}

/// The supervisor: parent of the daemons it starts, watcher of those it adopts. One loop
/// whose only wait is `poll`, over signals (SIGCHLD, SIGTERM, SIGHUP via a self-pipe), the
/// control socket, the daemons' output FIFOs, the exit descriptors of adopted processes
/// and the script workers; its timeout is the next deadline. Everything it learns becomes
/// an event of `MonitorCore`. Nothing polls `kill(pid, 0)`.
public final class Monitor {
    public struct Options: Sendable {
        public var core = MonitorCore.Options()
        /// Called once the monitor holds the home and has its configuration (with the
        /// number of configured daemons): the foreground command's greeting.
        public var onStarted: (@Sendable (Int) -> Void)?
        public init() {}
    }

    let home: Home
    let options: Options
    let core: MonitorCore
    let processes: SystemProcessControl
    let capture: CaptureEnds
    let scripts: ScriptService
    let logWriter: LogWriterSupervisor
    /// What else the loop waits on and wakes for: the script workers, the log writer.
    var participants: [LoopParticipant] { [scripts as? LoopParticipant, logWriter].compactMap { $0 } }

    var pendingReplies: [PendingReply] = []
    /// Staged stops whose next stage was just sent (put back among the pending replies).
    var stagedAgain: [PendingReply] = []
    /// Requests that came before the first configuration (or that named a daemon the
    /// configuration did not know, waiting for a reload): handled once it is applied.
    var parkedRequests: [(fd: Int32, request: ControlRequest, retried: Bool)] = []
    /// Clients of `tend reload`, answered when the reload is applied.
    var reloadClients: [Int32] = []
    var stopRequested = false
    /// The open-file limit in force once the home is claimed.
    var openFileLimit = OpenFileLimit.current()
    /// The last warning that the declared daemons need more descriptors than the limit.
    var descriptorWarning: String?

    public init(home: Home, tendExecutable: String, options: Options = Options(), scripts: ScriptService) {
        self.home = home
        self.options = options
        self.scripts = scripts
        capture = CaptureEnds(home: home)
        processes = SystemProcessControl(home: home, capture: capture)
        logWriter = LogWriterSupervisor(home: home, executable: tendExecutable)
        core = MonitorCore(home: home, tendExecutable: tendExecutable, options: options.core,
                           processes: processes, clock: SystemClock(), scripts: scripts)
        core.onConfigurationApplied = { [unowned self] problem, scripts in self.configurationApplied(problem, scripts: scripts) }
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
        let lock = try claimHome()
        var holdsHome = true
        defer { if holdsHome { MonitorProcess.release(home, lock: lock) } else { closeFD(lock) } }
        // Bind first, so clients queue on the socket while the configuration loads.
        let listener = try UnixSocket.listen(at: home.monitorSocket)
        defer { closeFD(listener) }
        let signals = try SignalPipe([.child, .terminate, .interrupt, .hangup])
        Reaper.becomeSubreaper()
        capture.removeOldFifos()
        // The log writer first: started after the script worker, its spawn waited up to
        // 2.5 ms behind the worker's busy start on a 2-core machine (start-all of 8 daemons
        // took 21 ms that way, 16 ms this way).
        logWriter.ensure()
        core.reload(reason: "monitor start")
        var greeted = false
        while !stopRequested {
            guard MonitorProcess.stillHolds(home, lock: lock) else {
                // Its files and daemons may be another monitor's now: touch nothing, go.
                holdsHome = false
                try? FileSystem.writeAll(2, Array("tend monitor: \(home.monitorLock) was removed or replaced, so \(home.root) may have another monitor now; this one leaves (its daemons keep running)\n".utf8))
                return
            }
            work()
            if stopRequested { break }   // `tend shutdown` was answered in this turn
            if !greeted && core.configured {
                greeted = true
                try? core.monitorLog.startup(pid: getpid())
                options.onStarted?(core.declaredNames.count)
            }
            let fds = [signals.fd, listener] + Array(processes.watches.values) + participants.flatMap(\.descriptors)
            for fd in Poller.waitReadable(fds, timeout: timeout()) {
                if fd == signals.fd { handleSignals(signals.drain()) }
                else if fd == listener { acceptClients(listener) }
                else if let daemon = processes.daemon(watchedBy: fd) { adoptedProcessExited(daemon) }
                else { participants.first { $0.descriptors.contains(fd) }?.readable(fd) }
            }
        }
        try? core.monitorLog.shutdown(reason: "signal; \(core.daemons.values.filter { $0.state.phase.process != nil }.count) daemons left running")
        core.flush()
    }

    /// Becomes the home's monitor (or says which one is): the home's lock, SIGPIPE
    /// ignored, and the open-file limit raised for the descriptors each daemon costs;
    /// daemons get the limit found back.
    private func claimHome() throws -> Int32 {
        try home.prepare()
        guard let lock = try MonitorProcess.claim(home) else {
            throw Failure.alreadyRunning(home: home.root, pid: MonitorProcess.running(home)?.pid)
        }
        SignalPipe.ignore(.pipe)
        let limits = OpenFileLimit.raise()
        openFileLimit = limits.now
        processes.daemonOpenFiles = limits.found.soft < limits.now.soft ? OpenFileLimit.restoring(limits.found) : nil
        return lock
    }

    /// One turn's work after the wait: events, deadlines, the disk, waiting clients.
    func work() {
        processes.beginTurn()
        core.drain()
        core.fireDeadlines()
        let now = Clock.monotonic()
        for participant in participants { participant.fireDeadlines(now: now) }
        core.drain()
        // A decision on its way back is a restart about to happen: the batched writes wait
        // for it (at most its deadline), so the spawn does not wait for the disk. Writes
        // that must come first (the wanted state before a stop's signal) are saveNow.
        if !core.awaitsDecision { core.flush() }
        answerPendingReplies()
    }

    /// Seconds until the nearest deadline (nil: none, wait for an event).
    func timeout() -> Double? {
        let deadlines = ([core.nextDeadline(), pendingReplies.map(\.deadline).min()] + participants.map(\.nextDeadline)).compactMap { $0 }
        guard let soonest = deadlines.min() else { return nil }
        return max(0, soonest - Clock.monotonic())
    }

    /// One cycle without staying (cron, tests): load the configuration, adopt what runs,
    /// hand dead daemons that are wanted up to the policy, run every check once, wait
    /// (bounded) for the answers, write everything, exit. Returns one line per action.
    public func runOnce(timeout: Double = 30) throws -> [String] {
        let lock = try claimHome()
        defer { MonitorProcess.release(home, lock: lock) }
        capture.removeOldFifos()
        logWriter.ensure()   // daemons this cycle starts get their output written
        core.actionLog = []
        core.reload(reason: "monitor --once")
        let deadline = Clock.monotonic() + timeout
        var checksAsked = false
        while Clock.monotonic() < deadline {
            work()
            if core.configured && !checksAsked {
                checksAsked = true
                core.checkEveryRunningDaemonNow()
                continue
            }
            if core.configured && core.isSettled { break }
            for fd in Poller.waitReadable(participants.flatMap(\.descriptors), timeout: min(waitBefore(deadline), 0.05)) {
                participants.first { $0.descriptors.contains(fd) }?.readable(fd)
            }
            reapChildren()
        }
        core.flush()
        return core.actionLog ?? []
    }

    /// Seconds until the nearest deadline, but not past `limit` (monotonic).
    private func waitBefore(_ limit: Double) -> Double {
        max(0, min(timeout() ?? .infinity, limit - Clock.monotonic()))
    }

    // MARK: - Events from the world

    func handleSignals(_ signals: Set<Signal>) {
        if signals.contains(.child) { reapChildren() }
        if signals.contains(.hangup) { core.reload(reason: "SIGHUP") }
        if signals.contains(.terminate) || signals.contains(.interrupt) { stopRequested = true }
    }

    /// Every child that exited: the script workers' and the log writer's are theirs to
    /// handle; the rest are daemons' (or orphans that came to us).
    func reapChildren() {
        for child in Reaper.reapAll() where !participants.contains(where: { $0.reaped(pid: child.pid, status: child.status) }) {
            childExited(child)
        }
    }

    /// A child of ours died: if it is a daemon's process, that is its exit. (Other children
    /// are descendants that were orphaned to us: reaping them is all there is to do.)
    func childExited(_ child: ReapedChild) {
        guard let rt = core.daemons.values.first(where: { $0.state.phase.process?.pid == child.pid }) else { return }
        let now = Clock.now()
        let info = ExitInfo.fromWaitStatus(child.status, at: now, uptime: core.uptime(rt, at: now), pid: child.pid)
        core.post(rt.name, deathEvent(rt, info, orphansComeHere: true))
    }

    /// An adopted process (not our child) ended: its status went to its real parent.
    func adoptedProcessExited(_ daemon: String) {
        processes.unwatch(daemon)
        guard let rt = core.daemons[daemon], let process = rt.state.phase.process else { return }
        let now = Clock.now()
        let info = ExitInfo(cause: .exitedUnknown, at: now, uptime: core.uptime(rt, at: now), pid: process.pid)
        core.post(daemon, deathEvent(rt, info, orphansComeHere: false))
    }

    /// What a main process's death means: a plain exit, a program that daemonized itself
    /// (it exited cleanly and left its tree running), or, with `forking`, a hand-over to the
    /// process that carries on. Leftovers of any death are named in its exit.
    func deathEvent(_ rt: DaemonRuntime, _ info: ExitInfo, orphansComeHere: Bool) -> Supervision.Event {
        let left = survivors(of: rt, dead: info.pid, orphansComeHere: orphansComeHere)
        guard !left.isEmpty else { return .exited(info) }
        var withLeftovers = info
        withLeftovers.leftovers = left.map(\.identity)
        if rt.spec.forking {
            let named = rt.spec.pidFile.flatMap(PidFile.pid(in:))
            let next = left.first { $0.pid == named } ?? left.min { $0.startTime < $1.startTime }!
            return .handedOver(to: next.identity, group: next.processGroup)
        }
        if info.cause == .exited && info.code == 0 { return .daemonized(withLeftovers) }
        return .exited(withLeftovers)
    }

    /// The daemon's processes still alive after its main process died. The monitor is a
    /// subreaper, so the orphans of a process it started are its own children now (a
    /// short list); an adopted daemon's orphans went elsewhere, found by their environment.
    private func survivors(of rt: DaemonRuntime, dead: Int32?, orphansComeHere: Bool) -> [ProcessSnapshot] {
        if orphansComeHere, let children = ProcessTable.children(of: getpid()) {
            let known = Set(core.daemons.values.compactMap { $0.state.phase.process?.pid } + participants.flatMap(\.processIDs))
            return children.filter { !known.contains($0) }.compactMap { pid in
                // A zombie (a script worker not reaped yet) shows no environment: never wait on one.
                guard let snap = ProcessTable.snapshot(pid, withCommandLine: false), !snap.isZombie,
                      tagged(pid, daemon: rt.name) else { return nil }
                return snap
            }
        }
        return TaggedProcesses.scan(home).roots(of: rt.name).filter { $0.pid != dead }
    }

    /// Whether `pid` belongs to the daemon's tree, by its environment. A process in the
    /// middle of an exec shows no environment for a moment: it is asked again, for up to
    /// 50 ms (only such a process, just orphaned to us, ever costs that wait).
    private func tagged(_ pid: Int32, daemon: String) -> Bool {
        let deadline = Clock.monotonic() + 0.05
        while true {
            if let env = ProcessTable.environmentValues(["TEND_HOME", "TEND_DAEMON"], of: pid), let home = env["TEND_HOME"] {
                return home == self.home.root && env["TEND_DAEMON"] == daemon
            }
            guard ProcessTable.identity(of: pid) != nil, Clock.monotonic() < deadline else { return false }
            _ = Poller.waitReadable([], timeout: 0.002)
        }
    }
}

extension MonitorCore {
    /// A restart policy has been asked and has not answered yet.
    var awaitsDecision: Bool {
        daemons.values.contains { if case .deciding = $0.state.phase { return true } else { return false } }
    }

    /// Nothing is under way: no spawn, stop or decision awaits its outcome, and no check
    /// is out.
    var isSettled: Bool {
        daemons.values.allSatisfy { rt in
            guard rt.checkInFlight == nil else { return false }
            switch rt.state.phase {
            case .starting, .pending, .stopping, .deciding: return false
            case .down, .running, .waiting, .held: return true
            }
        }
    }

    /// `--once`: every running daemon with a check gets it now.
    func checkEveryRunningDaemonNow() {
        let now = clock.monotonic
        for rt in daemons.values where rt.spec.health != nil { rt.nextCheck = now }
        runDueChecks(now: now)
    }
}
