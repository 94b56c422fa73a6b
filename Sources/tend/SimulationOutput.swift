import TendCore
import TendLua
import TendSystem

/// How `tend policy simulate` prints a replay: a table for people, JSON for scripts.
enum SimulationOutput {
    static func text(_ r: PolicySimulator.Result, _ sim: PolicySimulator) -> String {
        let limits = sim.daemon.restart
        var out = "Policy: \(sim.policyFile)\n"
        if r.steps.contains(where: { $0.decision.version == .fallback }) {
            out += "        it did not decide (see the error above): the built-in fallback's decisions are marked (fallback)\n"
        }
        out += "Daemon: \(sim.daemon.name) (max_per_hour \(limits.maxPerHour), cooldown \(plain(limits.cooldown)))\n\n"
        if r.steps.isEmpty { return out + "No deaths to replay." }
        let rows = r.steps.map { step -> [String] in
            [seconds(step.at), step.exit.reason, step.exit.uptime.map(seconds) ?? "-",
             decision(step.decision.action) + label(step.decision.version), step.decision.reason.ifEmpty("-")]
        }
        out += Output.table(["At", "Exit", "Up", "Decision", "Reason"], rows)
        if r.notReplayed > 0 {
            out += "\nstay_down: the replay ends here; \(r.notReplayed) later \(r.notReplayed == 1 ? "death was" : "deaths were") not replayed."
        }
        let logged = r.steps.flatMap { step in step.logged.map { (step.at, $0) } }
        if !logged.isEmpty {
            out += "\n\nLogged by the policy (a dry run: nothing was written):"
            for (at, record) in logged {
                let files = DaemonLogger.destinations(of: record).filter { $0 != .daemon }.map(fileName)
                out += "\n  at \(seconds(at)): [\(record.level.rawValue)] \(record.msg)" + (files.isEmpty ? "" : " (\(files.joined(separator: ", ")))")
            }
        }
        return out
    }

    static func json(_ r: PolicySimulator.Result, _ sim: PolicySimulator) -> JSONValue {
        .object([
            "daemon": .string(sim.daemon.name),
            "policy": .string(sim.policyFile),
            "started_at": .string(Clock.iso8601(r.start)),
            "decisions": .array(r.steps.map(json)),
            "not_replayed": .int(Int64(r.notReplayed)),
            "problems": .array(r.problems.map { .string($0) }),
        ])
    }

    private static func json(_ step: PolicySimulator.Step) -> JSONValue {
        var o: [String: JSONValue] = [
            "at": .double(step.at), "exit": .string(step.exit.reason),
            "action": .string(PolicyHit.actionName(step.decision.action)), "reason": .string(step.decision.reason),
            "version": .string(step.decision.version.rawValue),
        ]
        if let uptime = step.exit.uptime { o["uptime"] = .double(uptime) }
        if case .restartAfter(let delay) = step.decision.action { o["delay"] = .double(delay) }
        if !step.logged.isEmpty {
            // Without `ts`: the record's clock is the real one; the step's `at` is when it happened.
            o["logged"] = .array(step.logged.compactMap { record in
                (try? JSONValue.parse(record.jsonLine()))?.objectValue.map { fields in .object(fields.filter { $0.key != "ts" }) }
            })
        }
        return .object(o)
    }

    /// restart now / wait 50s / stay down.
    static func decision(_ action: RestartDecision.Action) -> String {
        switch action {
        case .restartNow: return "restart now"
        case .restartAfter(let delay): return "wait \(plain(delay))s"
        case .stayDown: return "stay down"
        }
    }

    private static func label(_ version: RestartDecision.Version) -> String {
        switch version {
        case .current: return ""
        case .lastGood: return " (last good)"
        case .fallback: return " (fallback)"
        }
    }

    private static func fileName(_ destination: LogDestination) -> String {
        switch destination {
        case .daemon: return "daemon log"
        case .health: return "health.log"
        case .policyHits: return "policy-hits.log"
        }
    }

    /// A number of seconds to a tenth: `3340`, `1.5`.
    static func plain(_ value: Double) -> String {
        let tenths = (value * 10).rounded() / 10
        return tenths == tenths.rounded() && abs(tenths) < 1e15 ? String(Int64(tenths)) : String(tenths)
    }

    /// Exact, for a replay where 3600 and 3610 differ: `50s`, `1.5s`, `4m10s`, `1h00m10s`.
    static func seconds(_ value: Double) -> String {
        if value < 60 { return "\(plain(value))s" }
        let s = Int(value.rounded())
        if s < 3600 { return "\(s / 60)m\(pad(s % 60))s" }
        return "\(s / 3600)h\(pad(s % 3600 / 60))m\(pad(s % 60))s"
    }

    private static func pad(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
}
