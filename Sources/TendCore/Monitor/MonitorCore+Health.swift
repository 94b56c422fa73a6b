/// Health checks: when each daemon's next check is due, and handing due ones to the
/// script service (which runs them off the loop, concurrently; results come back as
/// `checked` answers and then `health` events).
extension MonitorCore {
    /// The seconds between this daemon's checks: daemons.lua's or the check's own
    /// `interval`, else the monitor's.
    func checkInterval(_ rt: DaemonRuntime) -> Double {
        rt.checkTimings?.interval ?? options.interval
    }

    /// A process's next check: one interval from now once it is ready; until then soon,
    /// backing off (0.25 s, 0.5 s, 1 s, … up to the interval), so a daemon that others wait
    /// for is known ready as soon as it is.
    func scheduleCheck(_ rt: DaemonRuntime) {
        guard rt.spec.health != nil else { rt.nextCheck = nil; return }
        if case .running(_, .notReady) = rt.state.phase {
            rt.nextCheck = clock.monotonic + rt.readinessProbeDelay
            rt.readinessProbeDelay = min(checkInterval(rt), rt.readinessProbeDelay * 2)
        } else {
            rt.nextCheck = clock.monotonic + checkInterval(rt)
        }
    }

    /// Seconds from a start to its first check (doubled at each check before it is ready).
    static let firstReadinessProbe = 0.25

    /// Seconds a check may take when neither daemons.lua nor the check says.
    static let defaultCheckTimeout = 1.0

    /// Hands every due check to the script service; one check per daemon at a time.
    func runDueChecks(now: Double) {
        for rt in daemons.values {
            guard rt.checkInFlight == nil, let due = rt.nextCheck, due <= now, rt.state.declared,
                  case .running(let process, _) = rt.state.phase else { continue }
            rt.checkInFlight = process.pid
            scripts.check(CheckRequest(daemon: rt.name, spec: rt.spec, pid: process.pid,
                                       timeout: rt.checkTimings?.timeout ?? Self.defaultCheckTimeout))
        }
    }
}
