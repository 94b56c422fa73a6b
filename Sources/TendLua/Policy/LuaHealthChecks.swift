import CLuaShim
import TendCore
import TendSystem

/// Health checks as Lua. `.named(NAME, args)` runs `policies/health/NAME.lua`, which
/// returns `{ check = function(daemon, args) return ok, reason end, interval = N?, timeout = N? }`;
/// `.inline(key)` runs a function written in daemons.lua (loaded into the same host).
///
/// A check that raises or overruns its budget gives `HealthResult(ok: false, checkError: true)`
/// with the `file:line` reason — never a throw. Scripts are reloaded when their file changes;
/// a broken edit is reported and the last good version stays in force.
public final class LuaHealthChecks: HealthChecker {
    private let host: LuaHost
    private let report: ScriptProblemReporter
    private var scripts: [String: HotScript] = [:]

    /// Extra time the Lua code gets beyond a check's declared timeout, so a host call
    /// bounded by that timeout (a command, a TCP probe) can still report its own result.
    public static let grace = 1.0
    /// Seconds a check may take when neither daemons.lua nor the script says.
    public static let defaultTimeout = 1.0

    public init(host: LuaHost, report: @escaping ScriptProblemReporter = { _ in }) {
        self.host = host
        self.report = report
    }

    /// Re-reads every check whose file changed.
    public func reload() {
        for script in scripts.values { script.refresh() }
    }

    /// How often to run this daemon's check: `interval` in daemons.lua, else the script's
    /// own `interval`, else nil (the monitor's default).
    public func interval(for daemon: DaemonSpec) -> Double? {
        guard case .named(let name, let args)? = daemon.health else { return nil }
        if let i = args["interval"]?.doubleValue { return i }
        return scriptNumber(name, "interval")
    }

    public func check(_ daemon: DaemonSpec, pid: Int32?) -> HealthResult? {
        switch daemon.health {
        case nil:
            return nil
        case .inline(let key)?:
            let where_ = host.inlineLocation(key: key) ?? "daemons.lua"
            return run(timeout: Self.defaultTimeout, location: where_) { s in
                guard host.pushInline(key: key) else { throw LuaError(kind: .notFound, message: "\(where_): inline health check is gone (daemons.lua reloaded?)") }
                s.pushDaemon(daemon, pid: pid)
                s.newTable()
                return 2
            }
        case .named(let name, let args)?:
            let script = script(name)
            script.refresh()
            while let current = script.current {
                let timeout = args["timeout"]?.doubleValue ?? scriptNumber(name, "timeout") ?? Self.defaultTimeout
                let result = run(timeout: timeout, location: current.path) { s in
                    s.push(current.table)
                    s.rawGet(-1, "check")
                    tend_lua_remove(s.L, -2)
                    s.pushDaemon(daemon, pid: pid)
                    s.push(JSONValue.object(args))
                    return 2
                }
                // A freshly edited version that fails is retired (the older good one, if
                // any, is tried); a proven one stays, and this failure is the result
                // (a check error in health.log).
                if !result.checkError { script.markSucceeded(); return result }
                if script.callFailed(because: result.reason) { continue }
                return result
            }
            return HealthResult(ok: false, reason: script.problem ?? "no health check '\(name)'", checkError: true)
        }
    }

    /// Calls a check under its budget and turns every outcome into a HealthResult.
    private func run(timeout: Double, location: String, push: (LuaStack) throws -> Int32) -> HealthResult {
        do {
            return try host.vm.call(budget: timeout + Self.grace, results: 2, push: push) { s, first in
                // `return pid and alive(pid)` may give nil: that is a failed check, not a bug.
                guard let ok = s.bool(at: first) ?? (s.isNil(at: first) ? false : nil) else {
                    throw LuaError(kind: .badReturn, message: "\(location): check returned \(s.describeValue(at: first)); expected ok (boolean), reason (string)")
                }
                let reason = s.string(at: first + 1) ?? (s.isNil(at: first + 1) ? (ok ? "ok" : "check failed") : s.describeValue(at: first + 1))
                return HealthResult(ok: ok, reason: reason)
            }
        } catch let e as LuaError {
            return HealthResult(ok: false, reason: e.message, checkError: true)
        } catch {
            return HealthResult(ok: false, reason: "\(location): \(error)", checkError: true)
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
