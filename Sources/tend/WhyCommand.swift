import ArgumentParser
import TendCore
import TendSystem

extension Tend {
    /// `tend why NAME`: the policy's recent decisions about a daemon, in words.
    struct Why: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Explain a daemon's last restart decisions: the exit, the decision and why, the policy, what followed.",
            discussion: "Read from logs/policy-hits.log, the restart history and the daemon's record; the monitor is not asked.")

        @OptionGroup var global: GlobalOptions
        @Option(name: .short, help: "How many decisions (the newest).") var n = 10
        @Option(help: "Output format.") var format: Output.Format = .table
        @Argument(help: "Daemon name.") var name: String

        func validate() throws {
            guard n > 0 else { throw ValidationError("-n must be at least 1") }
        }

        func run() throws {
            let context = CommandContext(global)
            _ = try context.selectNames([name], all: false)
            let decisions = try DecisionExplanation.read(name, home: context.home, count: n)
            switch format {
            case .json:
                Output.line(JSONValue.object(["daemon": .string(name), "decisions": .array(decisions.map(Self.json))]).serialized())
            case .table:
                if decisions.isEmpty { return Output.line("\(name): no restart decisions recorded in \(context.home.policyHitsLog)") }
                let count = decisions.count == 1 ? "decision" : "\(decisions.count) decisions"
                Output.line("\(name): the last \(count), oldest first\n\n" + decisions.map(Self.text).joined(separator: "\n\n"))
            }
        }

        static func text(_ d: DecisionExplanation) -> String {
            let hit = d.hit
            let uptime = hit.exit.uptime.map { " after \(Clock.humanDuration($0))" } ?? ""
            let pid = hit.exit.pid.map { " (pid \($0))" } ?? ""
            return """
                \(Clock.iso8601(hit.ts))  \(hit.exit.reason)\(uptime)\(pid)
                  decision  \(SimulationOutput.decision(hit.decision.action))\(hit.decision.reason.isEmpty ? "" : ": " + hit.decision.reason)
                  policy    \(policy(hit.decision))
                  then      \(outcome(d.outcome))
                """
        }

        static func policy(_ d: RestartDecision) -> String {
            switch d.version {
            case .current: return "\(d.policy) (current version)"
            case .lastGood: return "\(d.policy) (last good version; the newest does not work: \(d.problem ?? "?"))"
            case .fallback: return "the built-in fallback, for \(d.policy) (\(d.problem ?? "it did not decide"))"
            }
        }

        static func outcome(_ o: DecisionExplanation.Outcome) -> String {
            switch o {
            case .restarted(let pid?, let at): return "restarted as PID \(pid) at \(Clock.iso8601(at))"
            case .restarted(nil, let at): return "restarted at \(Clock.iso8601(at))"
            case .restartFailed(let error, let at): return "the restart at \(Clock.iso8601(at)) failed: \(error)"
            case .waiting(let until):
                let late = until < Clock.now() ? " (due already: is a monitor running? `tend monitor --detach`)" : ""
                return "still waiting until \(Clock.iso8601(until))\(late)"
            case .heldDown: return "still down (held by the policy): `tend start` starts it"
            case .stayedDown: return "stayed down"
            case .notRestarted(let why): return "not restarted: \(why)"
            }
        }

        /// The policy-hit record's own fields (same names as in policy-hits.log) plus
        /// what followed.
        static func json(_ d: DecisionExplanation) -> JSONValue {
            var o = d.hit.record.fields
            o["type"] = nil
            o["ts"] = .string(Clock.iso8601(d.hit.ts))
            switch d.outcome {
            case .restarted(let pid, let at):
                o["outcome"] = .string("restarted")
                if let pid { o["new_pid"] = .int(Int64(pid)) }
                o["restarted_at"] = .string(Clock.iso8601(at))
            case .restartFailed(let error, let at):
                o["outcome"] = .string("restart_failed")
                o["error"] = .string(error)
                o["restarted_at"] = .string(Clock.iso8601(at))
            case .waiting(let until):
                o["outcome"] = .string("waiting")
                o["next_attempt_at"] = .string(Clock.iso8601(until))
            case .heldDown: o["outcome"] = .string("held")
            case .stayedDown: o["outcome"] = .string("stayed_down")
            case .notRestarted(let why):
                o["outcome"] = .string("not_restarted")
                o["detail"] = .string(why)
            }
            return .object(o)
        }
    }
}
