import TendSystem

/// What the monitor holds for one daemon: its state (changed only by
/// `Supervision.transition`), the facts its actions record, and what is owed to the disk.
final class DaemonRuntime {
    var spec: DaemonSpec
    var state = Supervision.State() { didSet { if state != oldValue { recordDirty = true } } }
    /// The record's facts that do not follow from the state: last exit and health, the
    /// restart counter, and the current process's group, argv and start. `persisted()`
    /// adds what does follow from the state.
    var facts: DaemonRecord { didSet { if facts != oldValue { recordDirty = true } } }
    /// The state or the facts changed since the record was last written: a flush looks
    /// only at these (at a thousand daemons, comparing every record each turn costs more
    /// than a restart).
    var recordDirty = true
    /// What the disk holds (nil: never written or unknown), so only changes are written.
    var saved: DaemonRecord?
    var history: RestartHistory
    var historyDirty = false
    let logger: DaemonLogger
    /// Log records waiting for the next flush: the loop writes them after the urgent work
    /// (reaping, deciding, spawning), so a restart never waits for the disk.
    var pendingLog = LogQueue()
    /// The PID the PID file holds (nil: no file), so it is rewritten only on change.
    var pidInFile: Int32?
    /// The last write for this daemon that failed (a full disk): what it owes the disk.
    var writeProblem: String?
    /// Problems of the scripts it names (`file:line: message (what is in force)`).
    var scriptProblems: [String] = []

    /// The check's interval and timeout, from the last configuration load.
    var checkTimings: CheckTimings?
    /// Monotonic time of the next health check (nil: none scheduled).
    var nextCheck: Double?
    /// A check of this PID is out; its result is awaited.
    var checkInFlight: Int32?
    /// Seconds to the next check while the process is not ready yet (it backs off).
    var readinessProbeDelay = MonitorCore.firstReadinessProbe

    init(spec: DaemonSpec, home: Home, rotation: RotationOptions) {
        self.spec = spec
        let (record, recordProblem) = DaemonRecord.loadRepairing(home, spec.name)
        facts = record
        saved = recordProblem == nil ? record : nil
        state.want = record.wanted
        // The PID file is ours to keep in step only if it names our recorded process
        // (one written by another tool, for a daemon we never ran, is left alone).
        if case .pid(let pid) = PidFile.read(home, spec.name), pid == record.process?.pid { pidInFile = pid }
        let (history, historyProblem) = RestartHistory.load(home, spec.name)
        self.history = history
        logger = DaemonLogger(home: home, daemon: spec.name, rotation: rotation)
        if let recordProblem { pendingLog.append(LogRecord(level: .error, daemon: spec.name, msg: recordProblem)) }
        if let historyProblem { pendingLog.append(LogRecord(level: .error, daemon: spec.name, msg: historyProblem.description)) }
    }

    var name: String { spec.name }

    /// The record as it must be on disk now: the facts plus what the state says (the CLI
    /// reads them: status shows why a daemon waits and until when).
    func persisted(wallNow: Double, monotonicNow: Double) -> DaemonRecord {
        var r = facts
        r.wanted = state.want
        r.process = state.phase.process
        if r.process == nil { r.startedAt = nil }
        r.nextAttemptAt = nil
        r.waitReason = nil
        r.heldDownReason = nil
        r.stopping = nil
        switch state.phase {
        case .waiting(let until, let reason, _):
            r.nextAttemptAt = wallNow + (until - monotonicNow)
            r.waitReason = reason
        case .held(let reason):
            r.heldDownReason = reason
        case .stopping:
            r.stopping = true
        case .down, .starting, .pending, .running, .deciding:
            break
        }
        return r
    }

    /// Writes the record if it changed: the PID file first (a reader between the two sees
    /// a new PID file and an old record, which it resolves by the process's identity,
    /// never a PID file naming the dead process beside a new record).
    func save(_ home: Home, _ record: DaemonRecord) throws {
        guard record != saved else { return }
        let pid = record.process?.pid
        if pid != pidInFile {
            if let pid { try PidFile.write(home, name, pid: pid) } else { try PidFile.remove(home, name) }
            pidInFile = pid
        }
        try record.save(home)
        saved = record
    }

    func lifecycle(_ message: String, level: LogLevel = .info, at: Double, fields: [String: JSONValue] = [:]) {
        var f = fields
        f["event"] = .string("lifecycle")
        pendingLog.append(LogRecord(ts: at, level: level, daemon: name, msg: message, fields: f))
    }
}
