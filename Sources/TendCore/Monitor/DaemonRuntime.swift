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
}
