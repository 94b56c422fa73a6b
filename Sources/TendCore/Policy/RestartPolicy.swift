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
