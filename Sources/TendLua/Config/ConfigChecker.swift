import TendCore

/// What `tend check-config` does: loads daemons.lua and every policy, health check and
/// plugin on the search path (compile, run the chunk, check the table it returns), and
/// checks that every script a daemon names exists. Collects every problem.
public enum ConfigChecker {
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

        public var ok: Bool { problems.isEmpty }

        /// `OK: /x/daemons.lua (8 daemons), 1 policy, 5 health checks, 9 plugins`
        public var summary: String {
            func n(_ count: Int, _ one: String, _ many: String) -> String { "\(count) \(count == 1 ? one : many)" }
            let config = daemonsFile.map { "\($0) (\(n(daemons, "daemon", "daemons")))" } ?? "no daemons.lua"
            let scripts = "\(n(policies, "policy", "policies")), \(n(healthChecks, "health check", "health checks")), \(n(plugins, "plugin", "plugins"))"
            if ok { return "OK: \(config), \(scripts)" }
            return "\(n(problems.count, "problem", "problems")) in \(config), \(scripts)"
        }
    }

    public static func run(paths: ScriptPaths, home: Home) -> Report {
        var report = Report()
        let host: LuaHost
        do { host = try LuaHost(home: home, paths: paths) } catch {
            report.problems.append(ScriptProblem(file: "tend", line: nil, message: "cannot start Lua: \(error)"))
            return report
        }
        var specs: [DaemonSpec] = []
        if let file = paths.daemonsFile {
            let config = DaemonsConfig.load(file: file, host: host)
            report.daemonsFile = file
            report.daemons = config.specs.count
            report.problems += config.problems
            specs = config.specs
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
        for (kind, check) in checks {
            for (name, path, _) in paths.all(kind) {
                if let problem = ScriptPaths.validateName(name, kind: kind) {
                    report.problems.append(ScriptProblem(file: path, line: nil, message: problem))
                    continue
                }
                report.checked[kind, default: 0] += 1
                if let problem = check(path) { report.problems.append(problem) }
            }
        }
        report.problems += references(specs, paths: paths)
        return report
    }

    /// Loads one script and checks its table; nil when it is fine.
    static func check(_ path: String, shape: ScriptShape, host: LuaHost) -> ScriptProblem? {
        check(path, host: host) { script in
            if let wrong = shape.problem(in: script, vm: host.vm) { throw wrong }
        }
    }

    /// Loads one script and runs `validate` on it (which throws what is wrong); nil when
    /// it is fine. Every script check of `check-config` goes through here.
    static func check(_ path: String, host: LuaHost, validate: (LoadedScript) throws -> Void) -> ScriptProblem? {
        do {
            let script = try host.loadScript(file: path)
            defer { host.release(script) }
            try validate(script)
            return nil
        } catch let e as LuaError {
            return ScriptProblem(e, file: path)
        } catch {
            return ScriptProblem(file: path, line: nil, message: String(describing: error))
        }
    }

    /// Every policy, health check and plugin a daemon names must exist.
    static func references(_ specs: [DaemonSpec], paths: ScriptPaths) -> [ScriptProblem] {
        var problems: [ScriptProblem] = []
        for spec in specs {
            var wanted: [(String, ScriptPaths.Kind)] = [(spec.policy, .policy)]
            if case .plugin(let p) = spec.run { wanted.append((p, .plugin)) }
            if case .named(let h, _)? = spec.health { wanted.append((h, .health)) }
            for (name, kind) in wanted where paths.find(name, kind: kind) == nil {
                let loc = LuaError.parseLocation(spec.declaredAt + ":")
                problems.append(ScriptProblem(file: loc?.file ?? spec.declaredAt, line: loc?.line,
                                              message: "daemon '\(spec.name)': \(paths.notFound(name, kind: kind))"))
            }
        }
        return problems
    }
}
