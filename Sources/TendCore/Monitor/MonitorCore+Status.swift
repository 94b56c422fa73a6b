import TendSystem

/// `tend status` answered by the monitor from what it holds: no file is read, no Lua
/// runs, and it is the truth even when the disk refused to record it.
extension MonitorCore {
    /// The status of `names` (empty: the declared daemons in order, then the undeclared
    /// ones that still run).
    /// Daemons no longer in daemons.lua whose process still runs (status lists them, a
    /// stop of all stops them), by name.
    var undeclaredRunning: [String] {
        daemons.values.filter { !$0.state.declared && $0.state.phase.process != nil }.map(\.name).sorted()
    }

    func statusReport(_ names: [String]) -> StatusReport {
        let wall = clock.wall, mono = clock.monotonic
        let selected = names.isEmpty ? declaredNames + undeclaredRunning : names
        return StatusReport(monitor: .init(running: true, pid: getpidValue()),
                            daemons: selected.compactMap { daemons[$0].map { status(of: $0, wall: wall, monotonic: mono) } })
    }

    private func readiness(_ phase: Supervision.Phase) -> Bool? {
        guard case .running(_, let readiness) = phase else { return nil }
        return readiness == .ready
    }

    private func status(of rt: DaemonRuntime, wall: Double, monotonic: Double) -> DaemonStatus {
        let phase = rt.state.phase
        var reasons: [String] = []
        var nextAttempt: Double?
        switch phase {
        case .waiting(let until, let reason, _):
            nextAttempt = wall + (until - monotonic)
            reasons.append("\(reason); next attempt in \(Clock.humanDuration(max(0, until - monotonic)))")
        case .held(let reason):
            reasons.append(reason)
        case .deciding:
            reasons.append("the restart policy is deciding")
        case .pending(_, _, let until, let names):
            reasons.append("waiting for \(names.joined(separator: ", ")) to be ready (at most \(Clock.humanDuration(max(0, until - monotonic))) more)")
        case .down, .starting, .running, .stopping:
            break
        }
        if !rt.state.declared { reasons.append("not in daemons.lua") }
        let left = liveLeftovers(rt)
        if !left.isEmpty {
            reasons.append("left running: pid \(left.map { String($0.pid) }.joined(separator: ", ")) (`tend stop \(rt.name)` ends them)")
        }
        if let problem = rt.writeProblem { reasons.append("could not be recorded: \(problem)") }
        reasons += rt.scriptProblems.map { "script: \($0)" }
        var state = DaemonStatus.State(rt.state)
        var pid = phase.process?.pid
        // A PID file the monitor did not write, naming a process that is not the daemon.
        if phase.process == nil, rt.pidInFile == nil, case .pid = PidFile.read(home, rt.name) {
            let verification = PidTracker(home: home, declared: [rt.spec]).verify(rt.name, record: nil, withCommandLine: false)
            if verification.verdict == .stale {
                state = .stale
                pid = verification.pid
                reasons.insert(verification.detail, at: 0)
            }
        }
        return DaemonStatus(daemon: rt.name, state: state, pid: pid,
                            uptimeSeconds: phase.process != nil ? rt.facts.startedAt.map { max(0, wall - $0) } : nil,
                            restarts: rt.facts.restartCount, lastExit: rt.facts.lastExit?.reason, lastExitAt: rt.facts.lastExit?.at,
                            wanted: rt.state.want, reason: reasons.isEmpty ? nil : reasons.joined(separator: "; "),
                            nextAttemptAt: nextAttempt, health: rt.facts.lastHealth, ready: readiness(phase))
    }
}
