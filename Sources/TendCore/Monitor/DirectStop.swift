import TendSystem

/// Stops a daemon without a monitor (the monitor was killed): the same sequence the
/// monitor uses — wanted state "down" on disk first, then the one `Teardown` over the
/// verified process, its group and the descendants that left it — done in the caller.
public enum DirectStop {
    public enum Outcome: Equatable, Sendable {
        case notRunning
        case stopped(pid: Int32, killed: Bool)
        /// The PID file names another process: nothing was signalled.
        case refusedUnverified(pid: Int32, detail: String)
        /// Signals went out but these processes outlived SIGKILL (or could not be signalled).
        case stillRunning(pid: Int32, remained: [Int32])
    }

    public static func stop(_ spec: DaemonSpec, home: Home) throws -> Outcome {
        let name = spec.name
        var record = DaemonRecord.loadOrNew(home, name)
        record.wanted = .down
        record.nextAttemptAt = nil
        record.waitReason = nil
        record.heldDownReason = nil
        try record.save(home)
        let verification = PidTracker(home: home, declared: [spec]).verify(name)
        guard verification.verdict == .running, let process = verification.process else {
            if verification.verdict == .stale, let pid = verification.pid, ProcessTable.identity(of: pid) != nil {
                return .refusedUnverified(pid: pid, detail: verification.detail)
            }
            return .notRunning
        }
        let identity = process.identity
        // A daemon Tend started leads its own group: the group goes. A process some other
        // tool started may not: then only the process itself (and its strays) is signalled.
        let group = process.processGroup == identity.pid ? identity.pid : nil
        let strays = TaggedProcesses.scan(home).all(of: name)
            .filter { $0.processGroup != group && $0.pid != identity.pid }
            .map(\.identity)
        let outcome = Teardown.run(StopTarget(main: identity, group: group, strays: strays), timeout: spec.stopTimeout)
        guard outcome.remained.isEmpty else {
            return .stillRunning(pid: identity.pid, remained: outcome.remained.map(\.pid))
        }
        let now = Clock.now()
        record.process = nil
        record.startedAt = nil
        record.stopping = nil
        record.lastExit = ExitInfo(cause: outcome.escalated ? .killed : .exitedUnknown, signal: outcome.escalated ? Signal.kill.number : nil,
                                   at: now, uptime: now - process.startedAt, pid: identity.pid)
        try record.save(home)
        try PidFile.remove(home, name)
        return .stopped(pid: identity.pid, killed: outcome.escalated)
    }
}
