/// Start order: a daemon whose declaration says `after = { "db" }` starts only once db is
/// ready (running, and its check passed once if it has one).
extension MonitorCore {
    /// Whether a daemon is running and ready.
    func isReady(_ name: String) -> Bool {
        guard case .running(_, .ready)? = daemons[name]?.state.phase else { return false }
        return true
    }

    func unreadyDependencies(of rt: DaemonRuntime) -> [String] {
        rt.spec.after.filter { !isReady($0) }
    }

    /// Tells each waiting daemon whose dependencies are all ready now; true if it told any.
    func releaseReadyDependents() -> Bool {
        var released = false
        for rt in daemons.values {
            guard case .pending = rt.state.phase, unreadyDependencies(of: rt).isEmpty else { continue }
            post(rt.name, .dependenciesReady)
            released = true
        }
        return released
    }

    /// The names in stages that stop dependents first (see `StartOrder.stopStages`).
    func stopStages(_ names: [String]) -> [[String]] {
        StartOrder.stopStages(names) { self.daemons[$0]?.spec.after ?? [] }
    }
}
