import TendSystem

/// What the monitor holds for one daemon while it runs.
final class DaemonRuntime {
    var spec: DaemonSpec
    var phase: Supervision.Phase = .stopped
    var record: DaemonRecord
    var history: RestartHistory
    let logger: DaemonLogger
    /// The monitor's end of the daemon's output FIFO (read-write, non-blocking).
    var outputFD: Int32 = -1
    var assembler = OutputLineAssembler()
    /// Set for adopted processes (not our children): readable when the process exits.
    var exitWatchFD: Int32 = -1
    /// Records and history changed since the last flush.
    var dirty = false
    var historyDirty = false
    /// Log records waiting for the next flush: the loop writes them after the urgent
    /// work (reaping, deciding, spawning), so a restart never waits for the disk.
    var pendingLog: [LogRecord] = []
    /// Monotonic time of this daemon's next health check (nil: at the next round).
    var nextHealthCheck: Double?

    init(spec: DaemonSpec, home: Home, rotation: RotationOptions) {
        self.spec = spec
        let (record, recordProblem) = DaemonRecord.loadRepairing(home, spec.name)
        self.record = record
        let (history, historyProblem) = RestartHistory.load(home, spec.name)
        self.history = history
        self.logger = DaemonLogger(home: home, daemon: spec.name, rotation: rotation)
        if let recordProblem { try? logger.error(recordProblem, fields: [:]) }
        if let historyProblem { try? logger.error(historyProblem.description, fields: [:]) }
    }

    var name: String { spec.name }

    /// The PID of the process the monitor is responsible for, if any.
    var pid: Int32? {
        switch phase {
        case .running(let pid), .stopping(let pid, _, _): return pid
        default: return nil
        }
    }

    /// Saves the record with the fields derived from the phase brought up to date (the
    /// CLI reads them: status shows why a daemon waits and until when).
    func saveRecord(_ home: Home) throws {
        record.nextAttemptAt = nil
        record.waitReason = nil
        record.heldDownReason = nil
        record.stopping = nil
        switch phase {
        case .waiting(let until, let reason, _):
            record.nextAttemptAt = until
            record.waitReason = reason
        case .held(let reason):
            record.heldDownReason = reason
        case .stopping:
            record.stopping = true
        case .stopped, .running, .deciding:
            break
        }
        try record.save(home)
    }
}
