/// Health checks: when each daemon's next check is due, and handing due ones to the
/// script service (which runs them off the loop, concurrently; results come back as
/// `checked` answers and then `health` events).
extension MonitorCore {
    /// The seconds between this daemon's checks: daemons.lua's or the check's own
    /// `interval`, else the monitor's.
    func checkInterval(_ rt: DaemonRuntime) -> Double {
        rt.checkTimings?.interval ?? options.interval
    }

    /// A process's next check comes one interval from now: after a start or an adoption
    /// (give it time to come up), and after each result.
    func scheduleCheck(_ rt: DaemonRuntime) {
        rt.nextCheck = rt.spec.health == nil ? nil : clock.monotonic + checkInterval(rt)
    }

    /// Hands every due check to the script service; one check per daemon at a time.
    func runDueChecks(now: Double) {
        for rt in daemons.values {
            guard rt.checkInFlight == nil, let due = rt.nextCheck, due <= now, rt.state.declared,
                  case .running(let process) = rt.state.phase else { continue }
            rt.checkInFlight = process.pid
            scripts.check(CheckRequest(daemon: rt.name, spec: rt.spec, pid: process.pid))
        }
    }
}
