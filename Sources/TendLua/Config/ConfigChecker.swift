import CLuaShim
import TendCore
import TendSystem

/// What `tend check-config` does: loads daemons.lua and every policy, health check and
/// plugin on the search path, each in its role's environment (the sandbox for
/// daemons.lua, policies and checks; plugins their full one), runs the chunk, checks the
/// table it returns, and lists every script each daemon names with its state. Every
/// problem is collected, each blamed on the file it is in.
public enum ConfigChecker {
    /// One script a daemon names, and how it stands.
    public struct DaemonScript: Sendable, Equatable {
        public enum State: String, Sendable {
            /// Loads and has the right shape.
            case ok
            /// No such file on the search path (a problem of the daemon's declaration).
            case missing
            /// The file has a problem (listed with the file).
            case broken
            /// A function written in daemons.lua.
            case inline
        }
        public var daemon: String
        public var kind: ScriptPaths.Kind
        public var state: State
        /// The file that wins, `file:line` of an inline function, or where it was looked for.
        public var file: String
    }

    public struct Report: Sendable {
        public var problems: [ScriptProblem] = []
        /// The daemons.lua in force, if any.
        public var daemonsFile: String?
        public var daemons = 0
        /// Scripts checked per kind.
        public var checked: [ScriptPaths.Kind: Int] = [:]
        public var policies: Int { checked[.policy] ?? 0 }
        public var healthChecks: Int { checked[.health] ?? 0 }
        public var plugins: Int { checked[.plugin] ?? 0 }
        /// Every script each daemon names, in daemons.lua order.
        public var scripts: [DaemonScript] = []

        public var ok: Bool { problems.isEmpty }

        /// The files with a problem, in the order their first problem was found.
        public var failingFiles: [String] {
            var seen = Set<String>()
            return problems.map(\.file).filter { seen.insert($0).inserted }
        }

        /// `OK: /x/daemons.lua (8 daemons), 1 policy, 5 health checks, 9 plugins`, or
        /// `2 problems in /x/policies/a.lua, /x/daemons.lua; checked /x/daemons.lua (…), …`
        public var summary: String {
            func n(_ count: Int, _ one: String, _ many: String) -> String { "\(count) \(count == 1 ? one : many)" }
            let config = daemonsFile.map { "\($0) (\(n(daemons, "daemon", "daemons")))" } ?? "no daemons.lua"
            let scripts = "\(n(policies, "policy", "policies")), \(n(healthChecks, "health check", "health checks")), \(n(plugins, "plugin", "plugins"))"
            if ok { return "OK: \(config), \(scripts)" }
            return "\(n(problems.count, "problem", "problems")) in \(failingFiles.joined(separator: ", ")); checked \(config), \(scripts)"
        }

        /// `tend check-config --format json` (docs/json.md).
        public var json: JSONValue {
            var o: [String: JSONValue] = [
                "ok": .bool(ok),
                "counts": .object(["daemons": JSONOutput.int(daemons), "policies": JSONOutput.int(policies),
                                   "health_checks": JSONOutput.int(healthChecks), "plugins": JSONOutput.int(plugins),
                                   "problems": JSONOutput.int(problems.count)]),
                "problems": .array(problems.map { p in
                    var item: [String: JSONValue] = ["file": .string(p.file), "message": .string(p.message)]
                    item.setIfPresent("line", p.line.map(JSONOutput.int))
                    return .object(item)
                }),
            ]
            o.setIfPresent("daemons_file", daemonsFile.map(JSONValue.string))
            return .object(o)
        }
    }

    /// - Parameter blocked: scripts not to run (they blocked an earlier run), reported at
    ///   the location given (see `blockedScripts`).
    public static func run(paths: ScriptPaths, home: Home, blocked: [String: String] = [:]) -> Report {
        var report = Report()
        let host: LuaHost
        do {
            host = try LuaHost(home: home, paths: paths)
            try stopExitWhileLoading(host)
        } catch {
            report.problems.append(ScriptProblem(file: "tend", line: nil, message: "cannot start Lua: \(error)"))
            return report
        }
        var specs: [DaemonSpec] = []
        if let file = paths.daemonsFile, let at = blocked[file] {
            report.daemonsFile = file
            report.problems.append(blockedProblem(file, at: at))
        } else if let file = paths.daemonsFile {
            let config = watched(file, host: host) { DaemonsConfig.load(file: file, host: host) }
            report.daemonsFile = file
            report.daemons = config.specs.count
            report.problems += config.problems
            specs = config.specs
            // The monitor raises its soft limit to this process's hard one (if started here).
            if let shortfall = DescriptorBudget.shortfall(daemons: specs.count, limit: OpenFileLimit.current()) {
                report.problems.append(ScriptProblem(file: file, line: nil, message: shortfall))
            }
        } else {
            report.problems.append(ScriptProblem(file: "\(paths.configDir)/daemons.lua", line: nil,
                                                 message: "no daemons.lua here and no shipped default found"))
        }
        // Plugins come in three shapes (command, daemon, sequence): see PluginShape.
        let checks: [(ScriptPaths.Kind, (String) -> ScriptProblem?)] = [
            (.policy, { check($0, shape: .policy, host: host) }),
            (.health, { check($0, shape: .health, host: host) }),
            (.plugin, { PluginCatalog.check($0, host: host) }),
        ]
        var broken = Set<String>()
        for (kind, check) in checks {
            for (name, path, _) in paths.all(kind) {
                if let problem = ScriptPaths.validateName(name, kind: kind) {
                    report.problems.append(ScriptProblem(file: path, line: nil, message: problem))
                    continue
                }
                report.checked[kind, default: 0] += 1
                if let problem = blocked[path].map({ blockedProblem(path, at: $0) }) ?? check(path) {
                    report.problems.append(problem)
                    broken.insert(path)
                }
            }
        }
        for spec in specs {
            for (kind, name) in spec.namedScripts {
                report.scripts.append(state(of: name, kind: kind, for: spec, host: host, broken: broken, report: &report))
            }
        }
        return report
    }

    /// The state of one script `spec` names; a missing one is a problem of its declaration.
    private static func state(of name: String?, kind: ScriptPaths.Kind, for spec: DaemonSpec, host: LuaHost,
                              broken: Set<String>, report: inout Report) -> DaemonScript {
        let paths = host.paths
        guard let name else {
            var location = spec.declaredAt
            if case .inline(let key, _)? = spec.health { location = host.inlineLocation(key: key) ?? location }
            return DaemonScript(daemon: spec.name, kind: kind, state: .inline, file: location)
        }
        if let path = paths.find(name, kind: kind) {
            return DaemonScript(daemon: spec.name, kind: kind, state: broken.contains(path) ? .broken : .ok, file: path)
        }
        let loc = LuaError.parseLocation(spec.declaredAt + ":")
        let missing = paths.notFound(name, kind: kind)
        report.problems.append(ScriptProblem(file: loc?.file ?? spec.declaredAt, line: loc?.line,
                                             message: "daemon '\(spec.name)': \(missing)"))
        return DaemonScript(daemon: spec.name, kind: kind, state: .missing, file: missing)
    }

    /// check-config runs every script in its own process: one whose top level blocks in C
    /// (an `io.open` of a FIFO nobody writes) is reported at the line Lua was at after
    /// `seconds`, and the process exits 1, instead of hanging (`tend_lua_watchdog_*`).
    /// The Lua budget (1 s a script) stops everything else well before.
    public static func enableWatchdog() {
        tend_lua_watchdog_enable(watchdogSeconds, CommandLine.unsafeArgv)
    }

    /// Seconds a script may run in check-config (its Lua budget is 1 s) before it counts
    /// as blocked.
    public static let watchdogSeconds: UInt32 = 5

    /// The scripts that blocked an earlier run of this check (the watchdog ran it again):
    /// script path → where Lua was (`file:line`), from `TEND_CHECK_CONFIG_BLOCKED`.
    public static func blockedScripts(_ environment: Environment = .current) -> [String: String] {
        var blocked: [String: String] = [:]
        for line in (environment["TEND_CHECK_CONFIG_BLOCKED"] ?? "").split(separator: "\n") {
            let parts = line.split(separator: "\t", maxSplits: 1)
            if parts.count == 2 { blocked[String(parts[0])] = String(parts[1]) }
        }
        return blocked
    }

    /// A script that blocked, as the problem at the line Lua was at.
    private static func blockedProblem(_ script: String, at location: String) -> ScriptProblem {
        let loc = LuaError.parseLocation(location + ":")
        let file = loc?.file ?? script
        return ScriptProblem(file: file, line: loc?.line,
                             message: "did not finish loading within \(watchdogSeconds) s (a blocking call?)" + (file == script ? "" : " while \(script) loaded"))
    }

    private static func watched<T>(_ path: String, host: LuaHost, _ body: () throws -> T) rethrows -> T {
        tend_lua_watchdog_arm(host.vm.L, path)
        defer { tend_lua_watchdog_disarm() }
        return try body()
    }

    /// A plugin's top level runs in the full environment, where `os.exit` would end
    /// check-config itself, with status 0: here it is an error at its file:line instead.
    private static func stopExitWhileLoading(_ host: LuaHost) throws {
        let s = host.vm.stack
        s.rawGet(LuaStack.registryIndex, "_LOADED")
        s.rawGet(-1, "os")
        host.vm.pushHostFunction(name: "os.exit") { _ in
            throw LuaHostError("os.exit called while the script loads (check-config stops it here; a script's top level should only define things)")
        }
        s.rawSet(-2, "exit")
        s.pop(2)
    }

    /// Loads one script and checks its table; nil when it is fine.
    static func check(_ path: String, shape: ScriptShape, host: LuaHost) -> ScriptProblem? {
        check(path, in: .sandbox, host: host) { script in
            if let wrong = shape.problem(in: script, vm: host.vm) { throw wrong }
        }
    }

    /// Loads one script in `environment` and runs `validate` on it (which throws what is
    /// wrong); nil when it is fine. Every script check of `check-config` goes through here.
    static func check(_ path: String, in environment: ScriptEnvironment, host: LuaHost,
                      validate: (LoadedScript) throws -> Void) -> ScriptProblem? {
        do {
            try watched(path, host: host) {
                let script = try host.loadScript(file: path, in: environment)
                defer { host.release(script) }
                try validate(script)
            }
            return nil
        } catch let e as LuaError {
            return ScriptProblem(e, file: path)
        } catch {
            return ScriptProblem(file: path, line: nil, message: String(describing: error))
        }
    }
}

extension DaemonSpec {
    /// The scripts this daemon names: its policy, its plugin, its health check (nil name:
    /// an inline function of daemons.lua).
    var namedScripts: [(ScriptPaths.Kind, String?)] {
        var scripts: [(ScriptPaths.Kind, String?)] = [(.policy, policy)]
        if case .plugin(let p) = run { scripts.append((.plugin, p)) }
        switch health {
        case .named(let check, _)?: scripts.append((.health, check))
        case .inline?: scripts.append((.health, nil))
        case nil: break
        }
        return scripts
    }
}
