import TendSystem

/// `tend health`: N/M healthy with a percentage, and per daemon its state and why.
/// Healthy = running (identity verified) and its last health check, if any, passed.
public struct HealthSummary: Codable, Sendable, Equatable {
    public struct Entry: Codable, Sendable, Equatable {
        public var daemon: String
        public var healthy: Bool
        public var state: DaemonStatus.State
        public var reason: String
    }

    public var healthy: Int
    public var total: Int
    public var percent: Int
    public var daemons: [Entry]

    public static func compute(_ specs: [DaemonSpec], home: Home) -> HealthSummary {
        let report = StatusReport.read(specs, home: home)
        let entries = report.daemons.map { d -> Entry in
            let running = d.state == .running
            let checkOK = d.health.map { $0.ok || $0.checkError } ?? true
            let reason: String
            if !running { reason = d.reason ?? d.lastExit ?? d.state.rawValue.lowercased() }
            else if let h = d.health { reason = h.ok ? "running; check passed: \(h.reason)" : (h.checkError ? "running; check error: \(h.reason)" : "check failed: \(h.reason)") }
            else { reason = "running" }
            return Entry(daemon: d.daemon, healthy: running && checkOK, state: d.state, reason: reason)
        }
        let healthy = entries.filter(\.healthy).count
        return HealthSummary(healthy: healthy, total: entries.count,
                             percent: entries.isEmpty ? 100 : healthy * 100 / entries.count, daemons: entries)
    }
}
