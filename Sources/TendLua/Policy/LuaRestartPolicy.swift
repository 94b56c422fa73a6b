import CLuaShim
import TendCore
import TendSystem

/// The restart policy as Lua: `policies/<daemon.policy>.lua` returns
/// `{ decide = function(daemon, exit, history, now) … end }`, and decide returns
/// `{ action = "restart" | "wait" | "stay_down", delay = seconds (for wait), reason = "…" }`.
///
/// The script is re-stat'ed on every decision and reloaded when it changed. Who decides:
/// the version in force; if it fails on this call (raises, returns a wrong value, overruns
/// its budget, hits the memory cap), the last version that decided well; if there is none
/// (or it fails too), the built-in policy. A version that fails is reported through
/// `report` and stays in force: the next decision tries it again. Single-threaded, like
/// the VM it uses.
public final class LuaRestartPolicy: RestartPolicy {
    private let host: LuaHost
    private let report: ScriptProblemReporter
    private var scripts: [String: HotScript] = [:]
    private let builtin: BuiltinPolicy

    /// A decision (saying which file and version took it) and the policy's problem, if any.
    public struct Outcome {
        public var decision: RestartDecision
        public var problem: ScriptState?
    }

    public init(host: LuaHost, report: @escaping ScriptProblemReporter = { _ in }) throws {
        self.host = host
        self.report = report
        builtin = try BuiltinPolicy()
    }

    /// Loads the named policies now, so the first death does not pay for compiling;
    /// returns the problems of those that do not load.
    @discardableResult
    public func preload(_ names: [String], budget: Double? = nil) -> [ScriptState] {
        Set(names).sorted().compactMap { name in
            let script = script(name)
            script.refresh(budget: budget)
            return script.problem.map { ScriptState($0, kind: .policy, inForce: script.current != nil ? .lastGood : .fallback) }
        }
    }


    /// Makes the policy `name` be `file`, whatever the search path holds: `tend policy
    /// simulate --policy FILE` tries an edit through this same `decide`.
    public func pin(_ name: String, to file: String) {
        scripts[name] = HotScript(name: name, shape: .policy, host: host, report: report, file: file)
    }

    public func decide(_ context: RestartContext) -> RestartDecision {
        decide(context, budget: nil).decision
    }

    /// Decides within `budget` seconds in all (nil: the host's budget per attempt),
    /// reloading the policy first if its file changed.
    public func decide(_ c: RestartContext, budget: Double?) -> Outcome {
        let deadline = budget.map { Clock.monotonic() + $0 }
        /// Seconds for the next attempt: nil for the host's default, 0 when none are left.
        func left() -> Double? { deadline.map { max(0, $0 - Clock.monotonic()) } }
        let script = script(c.daemon.policy)
        script.refresh(budget: left())
        var problem = script.problem.map { ScriptState($0, kind: .policy, inForce: script.current != nil ? .lastGood : .fallback) }
        let file = script.current?.path ?? script.problem?.file ?? script.expectedPath
        var failure: ScriptProblem?
        let versions: [(LoadedScript?, RestartDecision.Version)] = [
            (script.current, script.problem == nil ? .current : .lastGood),
            (script.lastGood == script.current ? nil : script.lastGood, .lastGood),
        ]
        for case (let candidate?, let version) in versions {
            if let seconds = left(), seconds < Self.shortestAttempt { break }
            do {
                var decision = try call(candidate, c, budget: left())
                if candidate == script.current { script.markSucceeded() }
                decision.policy = candidate.path
                decision.version = version
                decision.problem = problem?.description
                return Outcome(decision: decision, problem: problem)
            } catch {
                let failed = (error as? LuaError).map { ScriptProblem($0, file: candidate.path) }
                    ?? ScriptProblem(file: candidate.path, line: nil, message: String(describing: error))
                failure = failure ?? failed
                let next: ScriptState.InForce = candidate == script.current && script.lastGood != nil && script.lastGood != candidate ? .lastGood : .fallback
                problem = ScriptState(failure!, kind: .policy, inForce: next)
                report("\(failed)" + (next == .lastGood ? " (the last good version decides)" : " (the built-in policy decides)"))
            }
        }
        var decision = builtin.decide(c)
        let why = failure?.description ?? script.problem?.description ?? "no policy loaded"
        decision.policy = file
        decision.version = .fallback
        decision.problem = why
        problem = problem ?? ScriptState(file: file, line: nil, kind: .policy, message: why, inForce: .fallback)
        return Outcome(decision: decision, problem: problem)
    }

    /// Less than this is not worth starting a Lua call with: the built-in policy decides.
    static let shortestAttempt = 0.005

    private func script(_ name: String) -> HotScript {
        if let s = scripts[name] { return s }
        let s = HotScript(name: name, shape: .policy, host: host, report: report)
        scripts[name] = s
        return s
    }

    private func call(_ script: LoadedScript, _ c: RestartContext, budget: Double?) throws -> RestartDecision {
        try DecideCall.run(host.vm, budget: budget, policy: script.path, historyMethods: host.layer.historyMethods, c) { s in
            s.push(script.table)
            s.rawGet(-1, "decide")
            tend_lua_remove(s.L, -2)
        }
    }
}

/// Reads and validates decide's return value, strictly: a typo must not pass as a decision.
enum DecisionReader {
    struct Problem: Error { var text: String }

    /// Every key a decision may have (the stubs' `tend.Decision` is tested against it).
    static let keys = ["action", "delay", "reason"]

    static let expected = "expected { action = \"restart\" | \"wait\" | \"stay_down\", delay = seconds (with wait), reason = \"…\" }"

    static func read(_ s: LuaStack, at i: Int32, policy: String) throws -> RestartDecision {
        guard s.isTable(at: i) else { throw Problem(text: "\(s.describeValue(at: i)); \(expected)") }
        for key in s.keys(i) where !keys.contains(key) {
            throw Problem(text: "an unknown key '\(key)'; \(expected)")
        }
        s.rawGet(i, "action")
        let action = s.string(at: -1)
        let actionText = s.describeValue(at: -1)
        s.pop()
        s.rawGet(i, "delay")
        let delayIsNil = s.isNil(at: -1)
        let delay = s.number(at: -1)
        let delayText = s.describeValue(at: -1)
        s.pop()
        s.rawGet(i, "reason")
        let reasonIsNil = s.isNil(at: -1)
        let reason = s.string(at: -1)
        let reasonText = s.describeValue(at: -1)
        s.pop()
        if !reasonIsNil && reason == nil { throw Problem(text: "reason = \(reasonText); it must be a string") }
        if !delayIsNil, delay == nil || !delay!.isFinite || delay! < 0 {
            throw Problem(text: "delay = \(delayText); it must be a number of seconds >= 0")
        }
        let why = reason ?? ""
        switch action {
        case "restart"?:
            if let delay, delay > 0 { throw Problem(text: "action \"restart\" with delay = \(delayText); use action = \"wait\" to delay") }
            return RestartDecision(.restartNow, reason: why, policy: policy)
        case "wait"?:
            guard let delay else { throw Problem(text: "action \"wait\" without a delay; \(expected)") }
            return RestartDecision(.restartAfter(seconds: delay), reason: why, policy: policy)
        case "stay_down"?:
            return RestartDecision(.stayDown, reason: why, policy: policy)
        default:
            throw Problem(text: "action = \(actionText); \(expected)")
        }
    }
}
