import TendSystem

/// What the monitor finds when it starts: each daemon's record and the process table,
/// posted to the state machine as `discovered` events.
extension MonitorCore {
    /// Posts a `discovered` event for every daemon: the declared ones, and those no longer
    /// declared whose recorded process still runs (so `stop` can reach them).
    func discoverAll() {
        let wall = clock.wall, mono = clock.monotonic
        for spec in UndeclaredDaemons.running(home, declared: Set(daemons.keys)) {
            daemons[spec.name] = DaemonRuntime(spec: spec, home: home, rotation: options.rotation)
            post(spec.name, .configured(declared: false))
        }
        for rt in daemons.values { post(rt.name, .discovered(discover(rt, wall: wall, monotonic: mono))) }
    }

    private func discover(_ rt: DaemonRuntime, wall: Double, monotonic: Double) -> Supervision.Discovery {
        let record = rt.facts
        var lostCause = DeathCause.noPIDFile
        if let process = record.process {
            switch processes.check(process) {
            case .alive: return .alive(process, stopping: record.stopping == true)
            case .gone: lostCause = .exitedUnknown
            case .reused: lostCause = .stalePID
            }
        }
        guard record.wanted == .up else { return .nothing }
        if let due = record.nextAttemptAt, let reason = record.waitReason {
            let exit = record.lastExit ?? ExitInfo(cause: .unknown, at: wall)
            return .waiting(until: monotonic + (due - wall), reason: reason, exit: exit)
        }
        if let reason = record.heldDownReason { return .held(reason: reason) }
        if record.process == nil, record.lastExit != nil { lostCause = .unknown }
        return .lost(ExitInfo(cause: lostCause, at: wall, uptime: record.startedAt.map { wall - $0 }, pid: record.process?.pid))
    }
}
