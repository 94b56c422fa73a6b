import TendSystem

/// `tend health`: N/M healthy with a percentage, and per daemon its state and why.
/// Healthy = running (identity verified) and its last health check, if any, passed: a
/// check whose state is unknown (a check error) does not count as healthy.
public struct HealthSummary: Sendable, Equatable {
    public struct Entry: Sendable, Equatable {
        public var daemon: String
        public var healthy: Bool
        public var state: DaemonStatus.State
        public var reason: String
        /// The last health check's verdict, while running (absent: no check yet, or none).
        public var check: HealthResult.State?

        /// `healthy`, `unknown` (running, but the check itself failed) or `UNHEALTHY`.
        public var word: String {
            if healthy { return "healthy" }
            return state == .running && check == .unknown ? "unknown" : "UNHEALTHY"
        }
    }

    public var healthy: Int
    public var total: Int
    public var percent: Int
    public var daemons: [Entry]

    /// From a status report (the files', or the running monitor's).
    public static func compute(from report: StatusReport) -> HealthSummary {
        let entries = report.daemons.map { d -> Entry in
            let running = d.state == .running
            // Not ready (a running monitor says so): its check has not passed since it started.
            let checkOK = d.ready != false && (d.health.map { $0.state == .healthy } ?? true)
            let reason: String
            if !running { reason = d.reason ?? d.lastExit ?? d.state.rawValue.lowercased() }
            else if d.ready == false, d.health?.state != .unknown {
                reason = "running; not ready yet" + (d.health.map { " (check: \($0.reason))" } ?? " (its check has not passed since it started)")
            }
            else if let h = d.health {
                switch h.state {
                case .healthy: reason = "running; check passed: \(h.reason)"
                case .unhealthy: reason = "check failed: \(h.reason)"
                case .unknown: reason = "running; health unknown (check error): \(h.reason)"
                }
            }
            else { reason = "running" }
            return Entry(daemon: d.daemon, healthy: running && checkOK, state: d.state, reason: reason,
                         check: running ? d.health?.state : nil)
        }
        let healthy = entries.filter(\.healthy).count
        return HealthSummary(healthy: healthy, total: entries.count,
                             percent: entries.isEmpty ? 100 : healthy * 100 / entries.count, daemons: entries)
    }
}
