import CLuaShim
import TendCore
import TendSystem

/// Health checks as Lua. `.named(NAME, args)` runs `policies/health/NAME.lua`, which
/// returns `{ check = function(daemon, args) return ok, reason end, interval = N?, timeout = N? }`;
/// `.inline(key, args)` runs a function written in daemons.lua (loaded into the same host).
///
/// `return true|false, reason` is healthy or unhealthy. Anything else is a check error,
/// `unknown` with the `file:line` reason — never a throw, never healthy: the check raised,
/// overran its budget (its timeout plus a grace, blocking host calls included), returned
/// the wrong thing, hit the memory cap, or its script is missing or refused. A check that
/// fails so stays in force and runs again at the next round. Scripts are reloaded when
/// their file changes; a broken edit is reported and the last good version stays in force.
public final class LuaHealthChecks: HealthChecker {
    private let host: LuaHost
    private let report: ScriptProblemReporter
    private var scripts: [String: HotScript] = [:]

    /// Extra time the Lua code gets beyond a check's declared timeout, so a host call
    /// bounded by that timeout (a command, a TCP probe) can still report its own result.
    /// Half a second: the monitor's deadline for a check is its timeout + 1 s, and the
    /// worker must answer before it.
    public static let grace = 0.5
    /// Seconds a check may take when neither daemons.lua nor the script says.
    public static let defaultTimeout = 1.0

    /// A check's result, and the problem of its script if it has one.
    public struct Outcome {
        public var result: HealthResult
        public var problem: ScriptState?
    }

    public init(host: LuaHost, report: @escaping ScriptProblemReporter = { _ in }) {
        self.host = host
        self.report = report
    }


    /// Loads a named check now (for the configuration's load); its problem, if any.
    public func preload(_ name: String, budget: Double? = nil) -> ScriptState? {
        let script = script(name)
        script.refresh(budget: budget)
        return script.problem.map { ScriptState($0, kind: .health, inForce: script.current != nil ? .lastGood : .none) }
    }

    /// How often to run this daemon's check: `interval` in daemons.lua, else the script's
    /// own `interval`, else nil (the monitor's default).
    public func interval(for daemon: DaemonSpec) -> Double? {
        guard let health = daemon.health else { return nil }
        if let i = health.arguments["interval"]?.doubleValue { return i }
        guard case .named(let name, _) = health else { return nil }
        return scriptNumber(name, "interval")
    }

    /// Seconds the check may take: `timeout` in daemons.lua, else the script's, else 1.
    public func timeout(for daemon: DaemonSpec) -> Double {
        guard let health = daemon.health else { return Self.defaultTimeout }
        if let t = health.arguments["timeout"]?.doubleValue { return t }
        guard case .named(let name, _) = health else { return Self.defaultTimeout }
        return scriptNumber(name, "timeout") ?? Self.defaultTimeout
    }

    public func check(_ daemon: DaemonSpec, pid: Int32?) -> HealthResult? {
        checkReporting(daemon, pid: pid)?.result
    }

    /// Runs the daemon's check (nil when it has none).
    public func checkReporting(_ daemon: DaemonSpec, pid: Int32?) -> Outcome? {
        let budget = timeout(for: daemon) + Self.grace
        switch daemon.health {
        case nil:
            return nil
        case .inline(let key, let args)?:
            let location = host.inlineLocation(key: key) ?? daemon.declaredAt
            return run(budget: budget, location: location) { s in
                guard host.pushInline(key: key) else {
                    throw LuaError(kind: .notFound, message: "\(location): inline health check is gone (daemons.lua reloaded?)")
                }
                s.pushDaemon(daemon, pid: pid)
                s.push(JSONValue.object(args))
                return 2
            }
        case .named(let name, let args)?:
            let script = script(name)
            script.refresh(budget: budget)
            let loadProblem = script.problem.map { ScriptState($0, kind: .health, inForce: script.current != nil ? .lastGood : .none) }
            guard let current = script.current else {
                let why = script.problem?.description ?? host.paths.notFound(name, kind: .health)
                return Outcome(result: HealthResult(.unknown, reason: why), problem: loadProblem)
            }
            var outcome = run(budget: budget, location: current.path) { s in
                s.push(current.table)
                s.rawGet(-1, "check")
                tend_lua_remove(s.L, -2)
                s.pushDaemon(daemon, pid: pid)
                s.push(JSONValue.object(args))
                return 2
            }
            if outcome.result.state != .unknown { script.markSucceeded() }
            if outcome.problem == nil { outcome.problem = loadProblem }
            return outcome
        }
    }

    /// Calls a check under its budget and turns every outcome into a result.
    private func run(budget: Double, location: String, push: (LuaStack) throws -> Int32) -> Outcome {
        do {
            let result = try host.vm.call(budget: budget, results: 2, push: push) { s, first -> HealthResult in
                // `return pid and alive(pid)` may give nil: that is a failed check, not a bug.
                guard let ok = s.bool(at: first) ?? (s.isNil(at: first) ? false : nil) else {
                    throw LuaError(kind: .badReturn, message: "\(location): check returned \(s.describeValue(at: first)); expected ok (boolean), reason (string)")
                }
                let reason = s.string(at: first + 1) ?? (s.isNil(at: first + 1) ? (ok ? "ok" : "check failed") : s.describeValue(at: first + 1))
                return HealthResult(ok ? .healthy : .unhealthy, reason: reason)
            }
            return Outcome(result: result, problem: nil)
        } catch {
            let problem = (error as? LuaError).map { ScriptProblem($0, file: location) }
                ?? ScriptProblem(file: location, line: nil, message: String(describing: error))
            return Outcome(result: HealthResult(.unknown, reason: problem.description),
                           problem: ScriptState(problem, kind: .health, inForce: .none))
        }
    }

    private func script(_ name: String) -> HotScript {
        if let s = scripts[name] { return s }
        let s = HotScript(name: name, shape: .health, host: host, report: report)
        scripts[name] = s
        return s
    }

    /// A number the check's script declares (`interval`, `timeout`).
    private func scriptNumber(_ name: String, _ key: String) -> Double? {
        let script = script(name)
        if script.current == nil { script.refresh() }
        guard let current = script.current else { return nil }
        let s = host.vm.stack
        s.push(current.table)
        s.rawGet(-1, key)
        defer { s.pop(2) }
        return s.number(at: -1)
    }
}
