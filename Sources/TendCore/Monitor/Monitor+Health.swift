import TendSystem

extension Monitor {
    /// Periodic work, due every `interval` (the seed's 300 s): reload changed scripts,
    /// then run the health check of each running daemon whose own interval (its check's
    /// `interval`, else the monitor's) has come, and restart through the policy those
    /// that fail.
    func healthRound() {
        let now = Clock.monotonic()
        nextHealthRound = now + options.interval
        reloadScripts()
        for name in order {
            guard let rt = daemons[name], case .running(let pid) = rt.phase, rt.spec.health != nil else { continue }
            let every = health.interval(for: rt.spec) ?? options.interval
            if let due = rt.nextHealthCheck, due > now {
                nextHealthRound = min(nextHealthRound, due)
                continue
            }
            rt.nextHealthCheck = now + every
            nextHealthRound = min(nextHealthRound, now + every)
            guard let result = health.check(rt.spec, pid: pid) else { continue }
            record(result, of: rt)
            handleDeathsMeanwhile()
        }
    }

    /// Checks run in the loop, each within its budget: deaths that happened during one
    /// are handled before the next check, not after the whole round.
    private func handleDeathsMeanwhile() {
        guard let signals, !Poller.waitReadable([signals.fd], timeout: 0).isEmpty else { return }
        handleSignals(signals.drain())
    }

    private func record(_ result: HealthResult, of rt: DaemonRuntime) {
        rt.record.lastHealth = result
        rt.dirty = true
        switch result.state {
        case .healthy:
            break
        case .unknown:
            try? rt.logger.healthEvent(event: "check_error", message: result.reason, severity: .warning)
            say("\(rt.name): health check error: \(result.reason)")
        case .unhealthy:
            try? rt.logger.healthEvent(event: "check_failed", message: result.reason, severity: .error)
            say("\(rt.name): health check failed: \(result.reason)")
            handle(rt, .healthFailed(reason: result.reason))
        }
    }
}
