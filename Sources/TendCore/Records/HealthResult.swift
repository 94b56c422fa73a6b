import TendSystem

/// The outcome of a health check: healthy, unhealthy (the daemon failed it: the monitor
/// restarts it through its policy), or unknown (the check itself failed: it raised,
/// overran its timeout, returned the wrong thing, hit the memory cap, or its script is
/// missing or refused). Unknown is never healthy and never restarts anything; the check
/// runs again at the next round. JSON: `{"state": "healthy", "reason": "…", "at": …}`.
public struct HealthResult: Codable, Sendable, Equatable {
    public enum State: String, Codable, Sendable {
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

    enum CodingKeys: String, CodingKey {
        case state, reason, at
        // Records written before `state` existed.
        case ok, checkError = "check_error"
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        reason = try c.decode(String.self, forKey: .reason)
        at = try c.decode(Double.self, forKey: .at)
        if let state = try c.decodeIfPresent(State.self, forKey: .state) {
            self.state = state
        } else {
            let ok = try c.decode(Bool.self, forKey: .ok)
            let checkError = try c.decodeIfPresent(Bool.self, forKey: .checkError) ?? false
            state = checkError ? .unknown : (ok ? .healthy : .unhealthy)
        }
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(state, forKey: .state)
        try c.encode(reason, forKey: .reason)
        try c.encode(at, forKey: .at)
    }
}
