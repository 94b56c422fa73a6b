/// The messages between the monitor and a script worker (`tend __script-worker`), as
/// `docs/design/script-worker.md` specifies them: one JSON object per line, each request
/// with an integer `id` that its reply carries. Shared by both sides.
public enum ScriptWorkerRequest: Sendable, Equatable {
    /// Read daemons.lua and the scripts it names. `preload` false: daemons.lua only (a
    /// check worker needs its inline functions, not the policies); `skip`: scripts not to
    /// run while loading (files whose top level blocked an earlier load).
    case load(id: UInt64, preload: Bool = true, skip: [String] = [])
    /// A restart decision after a death.
    case decide(id: UInt64, daemon: DaemonSpec, exit: ExitInfo, history: [RestartEvent], now: Double)
    /// One health check.
    case check(id: UInt64, daemon: DaemonSpec, pid: Int32?)

    public var id: UInt64 {
        switch self {
        case .load(let id, _, _), .decide(let id, _, _, _, _), .check(let id, _, _): return id
        }
    }

    public var op: String {
        switch self {
        case .load: return "load"
        case .decide: return "decide"
        case .check: return "check"
        }
    }
}

/// The reply to `load`. `ok` is false when daemons.lua itself has problems (then `specs`
/// is empty and the monitor keeps the configuration it has); problems of the scripts it
/// names are in `scripts` and leave `ok` true.
public struct LoadReply: Sendable, Equatable {
    public var id: UInt64
    public var ok: Bool
    /// The daemons.lua that was read (the user's, else the shipped default).
    public var file: String?
    public var specs: [DaemonSpec]
    /// Per daemon with a health check: its interval (nil: the monitor's) and timeout.
    public var checks: [String: CheckSettings]
    public var problems: [ScriptProblem]
    public var scripts: [ScriptState]

    public init(id: UInt64, ok: Bool, file: String?, specs: [DaemonSpec], checks: [String: CheckSettings],
                problems: [ScriptProblem], scripts: [ScriptState]) {
        self.id = id
        self.ok = ok
        self.file = file
        self.specs = specs
        self.checks = checks
        self.problems = problems
        self.scripts = scripts
    }
}

/// When and for how long a daemon's check runs.
public struct CheckSettings: Sendable, Equatable {
    /// Seconds between checks; nil: the monitor's interval.
    public var interval: Double?
    /// Seconds the check may take (the monitor's deadline is this plus 1 s).
    public var timeout: Double

    public init(interval: Double?, timeout: Double) {
        self.interval = interval
        self.timeout = timeout
    }
}

/// The reply to `decide`. The worker never fails a decision: a broken policy gives the
/// last good version's decision or the built-in policy's (`decision.version`).
public struct DecideReply: Sendable, Equatable {
    public var id: UInt64
    public var ok: Bool
    public var decision: PolicyDecision
    /// The state of the policy used, when it has a problem.
    public var scripts: [ScriptState]

    public init(id: UInt64, decision: PolicyDecision, scripts: [ScriptState]) {
        self.id = id
        ok = true
        self.decision = decision
        self.scripts = scripts
    }
}

/// A decision as the protocol carries it.
public struct PolicyDecision: Sendable, Equatable {
    public enum Action: String, Sendable, CaseIterable, JSONCodable {
        case restart, wait
        case stayDown = "stay_down"
    }
    public var action: Action
    /// Seconds, with `wait`.
    public var delay: Double?
    public var reason: String
    /// The policy file meant to decide.
    public var policy: String
    public var version: RestartDecision.Version

    public init(action: Action, delay: Double?, reason: String, policy: String, version: RestartDecision.Version) {
        self.action = action
        self.delay = delay
        self.reason = reason
        self.policy = policy
        self.version = version
    }

    /// From the monitor's own decision type.
    public init(_ d: RestartDecision) {
        switch d.action {
        case .restartNow: self.init(action: .restart, delay: nil, reason: d.reason, policy: d.policy, version: d.version)
        case .restartAfter(let s): self.init(action: .wait, delay: s, reason: d.reason, policy: d.policy, version: d.version)
        case .stayDown: self.init(action: .stayDown, delay: nil, reason: d.reason, policy: d.policy, version: d.version)
        }
    }

    /// As the monitor acts on it and logs it; `problem`: why the newest version did not decide.
    public func restartDecision(problem: String? = nil) -> RestartDecision {
        let act: RestartDecision.Action
        switch action {
        case .restart: act = .restartNow
        case .wait: act = .restartAfter(seconds: delay ?? 0)
        case .stayDown: act = .stayDown
        }
        return RestartDecision(act, reason: reason, policy: policy, version: version, problem: problem)
    }
}

/// The reply to `check`: `health.state` unknown is a check error, never a restart.
public struct CheckReply: Sendable, Equatable {
    public var id: UInt64
    public var ok: Bool
    public var health: HealthResult
    public var scripts: [ScriptState]

    public init(id: UInt64, health: HealthResult, scripts: [ScriptState]) {
        self.id = id
        ok = true
        self.health = health
        self.scripts = scripts
    }
}

/// The reply to a line that is no request: `{"id": N, "ok": false, "error": "…"}` (id 0
/// when even that could not be read). A reply whose `ok` is false is one of these.
public struct FailedReply: Sendable, Equatable {
    public var id: UInt64
    public var ok: Bool
    public var error: String

    public init(id: UInt64, error: String) {
        self.id = id
        ok = false
        self.error = error
    }
}

/// Encoding and decoding of the messages: compact JSON, one line each.
public enum ScriptWorkerCoding {
    /// The line to write (with its `\n`). Strings escape their line breaks, so a message
    /// is never more than one line.
    public static func line<T: JSONCodable>(_ message: T) -> [UInt8] {
        Array((message.jsonValue.serialized() + "\n").utf8)
    }

    public static func decode<T: JSONCodable>(_ type: T.Type, from line: String) throws -> T {
        try T.decoded(from: line)
    }
}
