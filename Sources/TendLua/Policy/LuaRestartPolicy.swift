import CLuaShim
import TendCore

/// The restart policy as Lua: `policies/<daemon.policy>.lua` returns
/// `{ decide = function(daemon, exit, history, now) … end }`, and decide returns
/// `{ action = "restart" | "wait" | "stay_down", delay = seconds (for wait), reason = "…" }`.
///
/// The script is re-stat'ed on every decision and reloaded when it changed. A version
/// that does not load, returns a wrong value or overruns its budget is reported through
/// `report` and the last good version stays in force; if none ever loaded, the built-in
/// policy (the seed's limits) decides. Single-threaded, like the VM it uses.
public final class LuaRestartPolicy: RestartPolicy {
    private let host: LuaHost
    private let report: ScriptProblemReporter
    private var scripts: [String: HotScript] = [:]
    private let historyMeta: LuaRef
    private let builtin = BuiltinRestartPolicy()

    public init(host: LuaHost, report: @escaping ScriptProblemReporter = { _ in }) throws {
        self.host = host
        self.report = report
        historyMeta = try host.vm.evaluate(HistoryMethods.source, name: "history methods")
    }

    deinit { host.vm.release(historyMeta) }

    /// Loads the named policies now, so the first death does not pay for compiling.
    public func preload(_ names: [String]) {
        for name in Set(names) { script(name).refresh() }
    }

    /// Re-reads every policy file that changed (SIGHUP, the monitor's cycle).
    public func reload() {
        for script in scripts.values { script.refresh() }
    }

    /// Makes the policy `name` be `file`, whatever the search path holds: `tend policy
    /// simulate --policy FILE` tries an edit through this same `decide`.
    public func pin(_ name: String, to file: String) {
        scripts[name] = HotScript(name: name, shape: .policy, host: host, report: report, file: file)
    }

    public func decide(_ context: RestartContext) -> RestartDecision {
        let script = script(context.daemon.policy)
        script.refresh()
        var failure: String?
        while let current = script.current {
            do {
                var decision = try call(current, context)
                script.markSucceeded()
                if let problem = script.problem {
                    decision.version = .lastGood
                    decision.problem = problem
                }
                return decision
            } catch {
                let message = (error as? LuaError)?.message ?? "\(current.path): \(error)"
                failure = message
                // A broken edit is retired and the version before it tried; a proven
                // version that failed on this one call stays in force.
                if !script.callFailed(because: message) { break }
            }
        }
        var decision = builtin.decide(context)
        decision.policy = script.file ?? context.daemon.policy
        decision.version = .fallback
        decision.problem = failure ?? script.problem ?? "no policy loaded"
        return decision
    }

    private func script(_ name: String) -> HotScript {
        if let s = scripts[name] { return s }
        let s = HotScript(name: name, shape: .policy, host: host, report: report)
        scripts[name] = s
        return s
    }

    private func call(_ script: LoadedScript, _ c: RestartContext) throws -> RestartDecision {
        try host.vm.call(results: 1, push: { s in
            s.push(script.table)
            s.rawGet(-1, "decide")
            tend_lua_remove(s.L, -2)
            s.pushDaemon(c.daemon)
            s.pushExit(c.exit)
            s.pushHistory(c.history, meta: historyMeta)
            s.push(c.now)
            return 4
        }, read: { s, first in
            do {
                return try DecisionReader.read(s, at: first, policy: script.path)
            } catch let problem as DecisionReader.Problem {
                throw LuaError.at(script.path, line: decideLine(script), kind: .badReturn, "decide returned \(problem.text)")
            }
        })
    }

    /// The line where `decide` is defined, for messages about its return value.
    private func decideLine(_ script: LoadedScript) -> Int? {
        let s = host.vm.stack
        s.push(script.table)
        s.rawGet(-1, "decide")
        let loc = s.functionLocation()
        s.pop()
        return loc.flatMap { LuaError.parseLocation($0 + ":").map(\.line) }
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
