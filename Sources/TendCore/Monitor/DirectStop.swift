import TendSystem

/// Stops a daemon without a monitor (the monitor was killed): the same sequence the
/// monitor uses — wanted state "down" on disk first, SIGTERM to the verified process
/// group, wait up to `timeout` for the exit, then SIGKILL — done in the caller.
public enum DirectStop {
    public enum Outcome: Equatable, Sendable {
        case notRunning
        case stopped(pid: Int32, killed: Bool)
        /// The PID file names another process: nothing was signalled.
        case refusedUnverified(pid: Int32, detail: String)
        /// Signals went out but the process outlived SIGKILL (or could not be signalled).
        case stillRunning(pid: Int32)
    }

    public static func stop(_ name: String, home: Home, timeout: Double) throws -> Outcome {
        var record = DaemonRecord.loadOrNew(home, name)
        record.wanted = .down
        record.nextAttemptAt = nil
        record.waitReason = nil
        record.heldDownReason = nil
        try record.save(home)
        let verification = PidTracker(home: home).verify(name)
        guard verification.verdict == .running, let process = verification.process else {
            if verification.verdict == .stale, let pid = verification.pid, ProcessTable.identity(of: pid) != nil {
                return .refusedUnverified(pid: pid, detail: verification.detail)
            }
            return .notRunning
        }
        let identity = process.identity
        let watch = try? ProcessTable.openExitWatch(identity)
        defer { if let watch { closeFD(watch) } }
        // A daemon Tend started leads its own group: the group goes. A process some other
        // tool started may not: then only the process itself is signalled.
        let leadsGroup = process.processGroup == identity.pid
        func send(_ sig: Int32) -> Bool {
            leadsGroup ? Signals.sendToGroup(sig, leader: identity) : Signals.send(sig, to: identity)
        }
        var killed = false
        if send(15), !waitForExit(identity, watch: watch, timeout: timeout) {
            killed = send(9)
            _ = waitForExit(identity, watch: watch, timeout: 5)
        }
        guard ProcessTable.check(identity) != .alive else {
            return .stillRunning(pid: identity.pid)
        }
        // What is left of its group, while no process holds the leader's PID (so the
        // group ID cannot have been reused).
        if leadsGroup, ProcessTable.identity(of: identity.pid) == nil, Signals.groupExists(identity.pid) {
            Signals.sendToOrphanedGroup(9, group: identity.pid)
        }
        record.process = nil
        record.startedAt = nil
        record.lastExit = ExitInfo(cause: killed ? .killed : .exitedUnknown, signal: killed ? 9 : nil, at: Clock.now(), uptime: Clock.now() - process.startedAt, pid: identity.pid)
        try record.save(home)
        try PidFile.remove(home, name)
        return .stopped(pid: identity.pid, killed: killed)
    }

    /// Waits on the exit descriptor (event-driven); without one, checks the identity.
    static func waitForExit(_ identity: ProcessIdentity, watch: Int32?, timeout: Double) -> Bool {
        let deadline = Clock.monotonic() + timeout
        while Clock.monotonic() < deadline {
            if ProcessTable.check(identity) != .alive { return true }
            let left = deadline - Clock.monotonic()
            if let watch { _ = Poller.waitReadable([watch], timeout: min(left, 0.5)) }
            else { _ = Poller.waitReadable([], timeout: min(left, 0.05)) }
        }
        return ProcessTable.check(identity) != .alive
    }
}
