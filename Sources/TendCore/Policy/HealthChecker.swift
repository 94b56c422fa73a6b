/// Runs a daemon's health check (shipped implementation: Lua scripts under
/// `policies/health/`). Returns nil when the daemon has no check configured.
public protocol HealthChecker {
    mutating func check(_ daemon: DaemonSpec, pid: Int32?) -> HealthResult?
    /// Seconds between this daemon's checks, when its check asks for its own interval.
    func interval(for daemon: DaemonSpec) -> Double?
}

extension HealthChecker {
    public func interval(for daemon: DaemonSpec) -> Double? { nil }
}

/// Reports problems of scripts (syntax or runtime errors, bad return values, budgets),
/// as `file:line: message`, so the monitor can write them to health.log.
public typealias ScriptProblemReporter = (_ message: String) -> Void
