import TendSystem

/// What `tend status` says of one daemon. Built from the records on disk and the process
/// table alone, so it works with or without a running monitor and never wakes it.
public struct DaemonStatus: Sendable, Equatable {
    public enum State: String, Sendable {
        /// A start is under way.
        case starting = "STARTING"
        /// It waits for the daemons it names in `after` to be ready.
        case pending = "PENDING"
        case running = "RUNNING"
        /// SIGTERM sent, waiting for the process to end.
        case stopping = "STOPPING"
        /// Not running and not wanted (stopped by the user, or never started).
        case stopped = "STOPPED"
        /// Wanted up, not running, and nothing is scheduled (no monitor saw it die yet).
        case exited = "EXITED"
        /// Wanted up; the policy scheduled a restart (`nextAttemptAt`).
        case waiting = "WAITING"
        /// Wanted up; the policy (or a failed start) keeps it down until `tend start`.
        case held = "HELD"
        /// The PID file names a dead process or one that is not the daemon.
        case stale = "STALE"
    }

    public var daemon: String
    public var state: State
    public var pid: Int32?
    public var uptimeSeconds: Double?
    public var restarts: Int
    public var lastExit: String?
    public var lastExitAt: Double?
    public var wanted: WantedState
    /// Why it is in this state (waiting, held, stale), in words.
    public var reason: String?
    public var nextAttemptAt: Double?
    public var health: HealthResult?
    /// While running: whether it is ready (no check, or its check passed since it started).
    /// Known only to a running monitor (nil from the files).
    public var ready: Bool?

    /// Reads one daemon's status from its records and the live process table. `unrecorded`
    /// finds the daemon's process by its environment when the records do not name it (a
    /// write the full disk refused), so status never says STALE or STOPPED of a running one.
    public static func read(_ name: String, home: Home, tracker: PidTracker, now: Double = Clock.now(),
                            unrecorded: () -> ProcessSnapshot? = { nil }) -> DaemonStatus {
        let stored = DaemonRecord.load(home, name)
        let record = stored ?? DaemonRecord(name: name)
        var s = DaemonStatus(daemon: name, state: .stopped, pid: nil, uptimeSeconds: nil, restarts: record.restartCount,
                             lastExit: record.lastExit?.reason, lastExitAt: record.lastExit?.at, wanted: record.wanted,
                             reason: nil, nextAttemptAt: nil, health: record.lastHealth)
        let verification = tracker.verify(name, record: stored, withCommandLine: false)
        if verification.verdict == .running, let process = verification.process {
            s.state = record.stopping == true ? .stopping : .running
            s.pid = process.pid
            s.uptimeSeconds = max(0, now - process.startedAt)
            return s
        }
        let leftovers = Set(record.lastExit?.leftovers ?? [])
        if let process = unrecorded(), !leftovers.contains(process.identity) {
            s.state = .running
            s.pid = process.pid
            s.uptimeSeconds = max(0, now - process.startedAt)
            s.reason = "its records are out of date (found by its environment)"
            return s
        }
        let left = leftovers.filter { ProcessTable.check($0) == .alive }.sorted { $0.pid < $1.pid }
        if !left.isEmpty {
            s.reason = "left running: pid \(left.map { String($0.pid) }.joined(separator: ", ")) (`tend stop \(name)` ends them)"
        }
        if verification.verdict == .stale {
            s.state = .stale
            s.pid = verification.pid
            s.reason = verification.detail
            return s
        }
        guard record.wanted == .up else { return s }
        if let held = record.heldDownReason, s.reason != nil {   // leftovers noted above
            s.state = .held
            s.reason = held + "; " + s.reason!
            return s
        }
        if let due = record.nextAttemptAt {
            s.state = .waiting
            s.nextAttemptAt = due
            s.reason = (record.waitReason ?? "restart scheduled") + "; next attempt in \(Clock.humanDuration(max(0, due - now)))"
        } else if let held = record.heldDownReason {
            s.state = .held
            s.reason = held
        } else {
            s.state = .exited
            s.reason = record.lastExit == nil ? "wanted up, not running" : "wanted up, not running (no monitor has restarted it yet)"
        }
        return s
    }
}

extension DaemonStatus.State {
    /// The word for a daemon as the monitor holds it.
    public init(_ state: Supervision.State) {
        switch state.phase {
        case .down: self = .stopped
        case .starting: self = .starting
        case .pending: self = .pending
        case .running: self = .running
        case .stopping: self = .stopping
        case .deciding: self = .exited
        case .waiting: self = .waiting
        case .held: self = .held
        }
    }
}

/// The status of every daemon, plus whether a monitor runs: `tend status --format json`.
public struct StatusReport: Sendable, Equatable {
    public struct MonitorState: Sendable, Equatable {
        public var running: Bool
        public var pid: Int32?
    }
    public var monitor: MonitorState
    public var daemons: [DaemonStatus]

    /// The status of `specs` (the declared daemons, or a selection of them), plus, when
    /// `withUndeclared`, the daemons no longer declared whose process still runs.
    public static func read(_ specs: [DaemonSpec], home: Home, withUndeclared: Bool = false) -> StatusReport {
        let now = Clock.now()
        let monitor = MonitorProcess.running(home)
        let tracker = PidTracker(home: home, declared: specs)
        var scan: TaggedProcesses?
        let unrecorded: (DaemonSpec) -> ProcessSnapshot? = { spec in
            if scan == nil { scan = TaggedProcesses.scan(home) }
            return scan!.main(of: spec)
        }
        var daemons = specs.map { spec in
            DaemonStatus.read(spec.name, home: home, tracker: tracker, now: now, unrecorded: { unrecorded(spec) })
        }
        if withUndeclared {
            for spec in UndeclaredDaemons.running(home, declared: Set(specs.map(\.name))) {
                var s = DaemonStatus.read(spec.name, home: home, tracker: PidTracker(home: home), now: now)
                s.reason = "not in daemons.lua" + (s.reason.map { "; \($0)" } ?? "")
                daemons.append(s)
            }
        }
        return StatusReport(monitor: MonitorState(running: monitor != nil, pid: monitor?.pid), daemons: daemons)
    }
}
