import TendSystem

extension Monitor {
    /// One round of periodic work: reload changed scripts, run each running daemon's
    /// health check, and restart (through the policy) those that fail.
    func healthRound() {
        nextHealthRound = Clock.monotonic() + options.interval
        reloadScripts()
        for name in order {
            guard let rt = daemons[name], case .running(let pid) = rt.phase else { continue }
            guard let result = health.check(rt.spec, pid: pid) else { continue }
            rt.record.lastHealth = result
            rt.dirty = true
            if result.checkError {
                try? rt.logger.healthEvent(event: "check_error", message: result.reason, severity: .warning)
                say("\(name): health check error: \(result.reason)")
            } else if !result.ok {
                try? rt.logger.healthEvent(event: "check_failed", message: result.reason, severity: .error)
                say("\(name): health check failed: \(result.reason)")
                handle(rt, .healthFailed(reason: result.reason))
            }
        }
    }
}
