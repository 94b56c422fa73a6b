import TendSystem

/// One restart decision as policy-hits.log keeps it: the monitor writes one after every
/// death it asks a policy about; `tend why` and `tend policy simulate --from-history`
/// read them back. The fields, besides the record's own `ts`, `level`, `daemon`, `msg`:
///
///     type = "policy_hit"
///     exit, cause, code, signal, uptime, old_pid      the death (signal as a name, "SIGKILL")
///     action = "restart" | "wait" | "stay_down"       the decision, as policies write it
///     delay (with "wait"), reason
///     policy, version = "current" | "last_good" | "fallback", problem (unless current)
///     new_pid                                         the process the restart started, when known
public struct PolicyHit: Sendable, Equatable {
    /// When the decision was taken (the record's `ts`).
    public var ts: Double
    public var daemon: String
    public var exit: ExitInfo
    public var decision: RestartDecision
    public var newPID: Int32?

    public init(ts: Double, daemon: String, exit: ExitInfo, decision: RestartDecision, newPID: Int32? = nil) {
        self.ts = ts
        self.daemon = daemon
        self.exit = exit
        self.decision = decision
        self.newPID = newPID
    }

    /// `restart`, `wait`, `stay_down`: the words of a policy's return value.
    public static func actionName(_ action: RestartDecision.Action) -> String {
        switch action {
        case .restartNow: return "restart"
        case .restartAfter: return "wait"
        case .stayDown: return "stay_down"
        }
    }

    public var record: LogRecord {
        var f: [String: JSONValue] = [
            "type": .string(LogRecordType.policyHit),
            "exit": .string(exit.reason), "cause": .string(exit.cause.rawValue),
            "action": .string(Self.actionName(decision.action)), "reason": .string(decision.reason),
            "policy": .string(decision.policy), "version": .string(decision.version.rawValue),
        ]
        if let code = exit.code { f["code"] = .int(Int64(code)) }
        if let signal = exit.signal { f["signal"] = .string(Signal(signal).name) }
        if let uptime = exit.uptime { f["uptime"] = .double(uptime) }
        if let pid = exit.pid { f["old_pid"] = .int(Int64(pid)) }
        if case .restartAfter(let delay) = decision.action { f["delay"] = .double(delay) }
        if let problem = decision.problem { f["problem"] = .string(problem) }
        if let newPID { f["new_pid"] = .int(Int64(newPID)) }
        return LogRecord(ts: ts, level: .info, daemon: daemon,
                         msg: "policy \(decision.source): \(decision.summary) (\(decision.reason))", fields: f)
    }

    /// Reads a record `record` wrote; nil for any other record (a plugin's own
    /// `tend.log.policy_hit`, which names no death, included).
    public init?(record r: LogRecord) {
        let f = r.fields
        guard r.type == LogRecordType.policyHit, let cause = f["cause"]?.stringValue.flatMap(DeathCause.init(rawValue:)),
              let actionName = f["action"]?.stringValue, let policy = f["policy"]?.stringValue else { return nil }
        let action: RestartDecision.Action
        switch actionName {
        case "restart": action = .restartNow
        case "wait": action = .restartAfter(seconds: f["delay"]?.doubleValue ?? 0)
        case "stay_down": action = .stayDown
        default: return nil
        }
        let version = f["version"]?.stringValue.flatMap(RestartDecision.Version.init(rawValue:)) ?? .current
        let exit = ExitInfo(cause: cause, code: f["code"]?.intValue.map { Int32(truncatingIfNeeded: $0) },
                            signal: f["signal"]?.stringValue.flatMap { Signal(parsing: $0)?.number }, at: r.ts,
                            uptime: f["uptime"]?.doubleValue, pid: f["old_pid"]?.intValue.map { Int32(truncatingIfNeeded: $0) })
        self.init(ts: r.ts, daemon: r.daemon, exit: exit,
                  decision: RestartDecision(action, reason: f["reason"]?.stringValue ?? "", policy: policy,
                                            version: version, problem: f["problem"]?.stringValue),
                  newPID: f["new_pid"]?.intValue.map { Int32(truncatingIfNeeded: $0) })
    }

    /// The newest `count` decisions about `daemon` in policy-hits.log (rotated files
    /// included), oldest first.
    public static func load(_ home: Home, daemon: String, count: Int) throws -> [PolicyHit] {
        // A cheap text test first: most lines of a busy log are other daemons'.
        let needle = "\"daemon\":\(JSONValue.string(daemon).serialized())"
        var newestFirst: [PolicyHit] = []
        _ = try LogTail.lastLines(path: home.policyHitsLog, count: count) { line in
            guard line.contains(needle), let hit = LogRecord.parse(line: line).flatMap(PolicyHit.init(record:)),
                  hit.daemon == daemon else { return false }
            newestFirst.append(hit)
            return true
        }
        return newestFirst.reversed()
    }
}
