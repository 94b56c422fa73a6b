import TendSystem

/// The outcome of a health check: healthy, unhealthy (the daemon failed it: the monitor
/// restarts it through its policy), or unknown (the check itself failed: it raised,
/// overran its timeout, returned the wrong thing, hit the memory cap, or its script is
/// missing or refused). Unknown is never healthy and never restarts anything; the check
/// runs again at the next round. JSON: `{"state": "healthy", "reason": "…", "at": …}`.
public struct HealthResult: Sendable, Equatable {
    public enum State: String, Sendable, CaseIterable, JSONCodable {
        case healthy, unhealthy, unknown
    }

    public var state: State
    public var reason: String
    public var at: Double

    public init(_ state: State, reason: String, at: Double = Clock.now()) {
        self.state = state
        self.reason = reason
        self.at = at
    }
}

/// The record form (`lastHealth` of a state file, a check's reply), `at` in epoch seconds;
/// `tend status --format json` writes its own (`json`, `checked_at`).
extension HealthResult: JSONCodable {
    public var jsonValue: JSONValue {
        .members(["state": state, "reason": reason, "at": at])
    }

    public init(jsonValue: JSONValue) throws {
        let o = try JSONObjectReader(jsonValue)
        let state: State
        if o.has("state") {
            state = try o("state")
        } else {
            // Written before `state` existed: `ok`, and `check_error` for an unknown result.
            let ok: Bool = try o("ok")
            state = try o("check_error", default: false) ? .unknown : (ok ? .healthy : .unhealthy)
        }
        self.init(state, reason: try o("reason"), at: try o("at"))
    }
}
