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
    /// The PID the PID file holds (nil: no file), so it is rewritten only on change.
    var pidInFile: Int32?

    /// Monotonic time of this daemon's next health check (nil: at the next round).
    var nextHealthCheck: Double?

    init(spec: DaemonSpec, home: Home, rotation: RotationOptions) {
        self.spec = spec
        let (record, recordProblem) = DaemonRecord.loadRepairing(home, spec.name)
        self.record = record
        // The PID file is ours to keep in step only if it names our recorded process
        // (one written by another tool, for a daemon we never ran, is left alone).
        if case .pid(let pid) = PidFile.read(home, spec.name), pid == record.process?.pid { pidInFile = pid }
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
        try syncPidFile(home)
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

    /// `.pids/NAME.pid` follows the identity record: written before the record (a reader
    /// between the two sees a new PID file and an old record, which it resolves by the
    /// process's age, never a PID file naming the dead process beside a new record).
    private func syncPidFile(_ home: Home) throws {
        let pid = record.process?.pid
        guard pid != pidInFile else { return }
        if let pid { try PidFile.write(home, name, pid: pid) } else { try PidFile.remove(home, name) }
        pidInFile = pid
    }
}
