/// What a restart policy decided after a death.
public struct RestartDecision: Sendable, Equatable {
    public enum Action: Sendable, Equatable {
        case restartNow
        case restartAfter(seconds: Double)
        case stayDown
    }

    /// Which version of the policy decided: the file as it is, the last version that
    /// loaded (the file has a broken edit), or the built-in fallback (none ever loaded,
    /// or this call failed). The names are those of policy-hits.log and the script worker.
    public enum Version: String, Sendable, Equatable, CaseIterable, JSONCodable {
        case current
        case lastGood = "last_good"
        case fallback
    }

    public var action: Action
    public var reason: String
    /// The policy file asked (`…/policies/restart.lua`); its name when no file was found.
    /// With `version == .fallback` the built-in policy decided in its place.
    public var policy: String
    public var version: Version
    /// Why the newest version of `policy` did not decide (`file:line: …`), when it did not.
    public var problem: String?

    public init(_ action: Action, reason: String, policy: String, version: Version = .current, problem: String? = nil) {
        self.action = action
        self.reason = reason
        self.policy = policy
        self.version = version
        self.problem = problem
    }

    /// "restart now", "restart in 12s", "stay down".
    public var summary: String {
        switch action {
        case .restartNow: return "restart now"
        case .restartAfter(let s): return "restart in \(Int(s.rounded(.up)))s"
        case .stayDown: return "stay down"
        }
    }

    /// Who decided, for messages: `…/restart.lua`, `…/restart.lua (last good version)`,
    /// `built-in (fallback: …/restart.lua:3: …)`.
    public var source: String {
        switch version {
        case .current: return policy
        case .lastGood: return "\(policy) (last good version)"
        case .fallback: return "built-in (fallback: \(problem ?? "no policy loaded"))"
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

/// A policy the monitor runs itself, for the daemons it covers: Tend's own shipped policy
/// as compiled in (`ShippedPolicy` in TendLua). Every other decision goes to a script
/// worker.
public protocol InProcessPolicy: AnyObject {
    /// The decision, or nil when this daemon's policy is not one it covers.
    func decideIfCovered(_ context: RestartContext) -> RestartDecision?
}

/// Decides whether and when a dead daemon is restarted. The shipped implementation is a
/// Lua script (`policies/restart.lua`); the fallback is that same file compiled into the
/// binary (`BuiltinPolicy` in TendLua).
public protocol RestartPolicy {
    mutating func decide(_ context: RestartContext) -> RestartDecision
}
