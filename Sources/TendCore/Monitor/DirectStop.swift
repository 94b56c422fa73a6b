import TendSystem

/// Stops a daemon without a monitor (the monitor was killed): the same sequence the
/// monitor uses — wanted state "down" on disk first, then the one `Teardown` over the
/// verified process, its group and the descendants that left it — done in the caller.
public enum DirectStop {
    public enum Outcome: Equatable, Sendable {
        case notRunning
        case stopped(pid: Int32, killed: Bool)
        /// No main process ran, but what its last run left behind did: these were ended.
        case endedLeftovers([Int32], killed: Bool)
        /// The PID file names another process: it was not signalled.
        case refusedUnverified(pid: Int32, detail: String)
        /// Signals went out but these processes outlived SIGKILL (or could not be signalled);
        /// `pid` is the main process, nil when only leftovers were stopped.
        case stillRunning(pid: Int32?, remained: [Int32])
    }

    /// `tagged`: a scan of the home's processes the caller made (one serves every daemon of
    /// a `stop --all` until a stop changes the process table); nil scans here.
    public static func stop(_ spec: DaemonSpec, home: Home, tagged: TaggedProcesses? = nil) throws -> Outcome {
        let name = spec.name
        var record = DaemonRecord.loadOrNew(home, name)
        record.wanted = .down
        record.nextAttemptAt = nil
        record.waitReason = nil
        record.heldDownReason = nil
        try record.save(home)
        let verification = PidTracker(home: home, declared: [spec]).verify(name)
        // Its tree, by the environment every process of it inherits (this command too,
        // when a daemon runs it: it must not end itself halfway).
        let tree = (tagged ?? TaggedProcesses.scan(home)).all(of: name).filter { $0.pid != getpidValue() }
        guard verification.verdict == .running, let process = verification.process else {
            // The main process is gone (or the file names a stranger, who is left alone):
            // what it left running is still the daemon's, each part verified by its identity.
            let ended = tree.isEmpty ? nil : Teardown.run(StopTarget(main: nil, group: nil, strays: tree.map(\.identity)),
                                                          timeout: spec.stopTimeout)
            if let ended, !ended.remained.isEmpty { return .stillRunning(pid: nil, remained: ended.remained.map(\.pid)) }
            if verification.verdict == .stale, let pid = verification.pid, ProcessTable.identity(of: pid) != nil {
                return .refusedUnverified(pid: pid, detail: verification.detail)
            }
            return ended.map { .endedLeftovers(tree.map(\.pid), killed: $0.escalated) } ?? .notRunning
        }
        let identity = process.identity
        // A daemon Tend started leads its own group: the group goes. A process some other
        // tool started may not: then only the process itself (and its strays) is signalled.
        let group = process.processGroup == identity.pid ? identity.pid : nil
        let strays = tree.filter { $0.processGroup != group && $0.pid != identity.pid }.map(\.identity)
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
