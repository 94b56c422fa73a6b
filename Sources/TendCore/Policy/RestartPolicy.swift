/// What a restart policy decided after a death.
public struct RestartDecision: Sendable, Equatable {
    public enum Action: Sendable, Equatable {
        case restartNow
        case restartAfter(seconds: Double)
        case stayDown
    }

    public var action: Action
    public var reason: String
    /// The policy that decided (`policies/restart.lua`, or `built-in` for the fallback).
    public var policy: String

    public init(_ action: Action, reason: String, policy: String) {
        self.action = action
        self.reason = reason
        self.policy = policy
    }

    /// "restart now", "restart in 12s", "stay down".
    public var summary: String {
        switch action {
        case .restartNow: return "restart now"
        case .restartAfter(let s): return "restart in \(Int(s.rounded(.up)))s"
        case .stayDown: return "stay down"
        }
    }
}

/// Which version of a daemon's policy decided.
public enum PolicyVersion: String, Codable, Sendable {
    /// The newest version of the file.
    case current
    /// An older version that worked (the newest does not load, or failed on this call).
    case lastGood = "last_good"
    /// The built-in policy, for a policy that is broken, missing, refused or late.
    case fallback

    /// What `RestartDecision.policy` and policy-hits.log say: the file, `FILE (last good
    /// version)`, or `built-in (fallback: WHY)`.
    public func label(file: String, why: String?) -> String {
        switch self {
        case .current: return file
        case .lastGood: return "\(file) (last good version)"
        case .fallback: return "built-in (fallback: \(why ?? "\(file) did not decide"))"
        }
    }
}

/// Everything a policy is told about a death.
public struct RestartContext: Sendable {
    public var daemon: DaemonSpec
    public var exit: ExitInfo
    public var history: RestartHistory
    public var now: Double

    public init(daemon: DaemonSpec, exit: ExitInfo, history: RestartHistory, now: Double) {
        self.daemon = daemon
        self.exit = exit
        self.history = history
        self.now = now
    }
}

/// Decides whether and when a dead daemon is restarted. The shipped implementation is a
/// Lua script (`policies/restart.lua`); the fallback is that same file compiled into the
/// binary (`BuiltinPolicy` in TendLua).
public protocol RestartPolicy {
    mutating func decide(_ context: RestartContext) -> RestartDecision
}
