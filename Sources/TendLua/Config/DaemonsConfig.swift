import TendCore
import TendSystem

/// The daemons declared in `daemons.lua`:
///
///     daemon "NAME" { command = {"/usr/bin/prog", "arg"} }      -- or plugin = "NAME"
///     daemon "NAME" { plugin = "NAME", env = {K = "v"}, cwd = "/dir", stop_timeout = 10,
///                     restart = { max_per_hour = 3, cooldown = 60 },
///                     health = "process_alive" | { check = "tcp_port", port = 80, interval = 30 }
///                              | function(d) return ok, reason end,
///                     policy = "restart", after = { "db" }, ready_timeout = 60,
///                     env_file = "web.env", limits = { nofile = 4096, memory_mb = 512 } }
///
/// Every problem is collected (not just the first), each as `file:line: message` at the
/// line of its daemon's declaration. Daemons with problems are left out of `specs`.
public struct DaemonsConfig: Sendable {
    public var file: String
    public var specs: [DaemonSpec]
    public var problems: [ScriptProblem]

    public var isValid: Bool { problems.isEmpty }

    /// The user's `daemons.lua`, else the shipped default, loaded into `host` (which keeps
    /// inline health functions: use the same host for `LuaHealthChecks`).
    public static func load(paths: ScriptPaths, host: LuaHost) throws -> DaemonsConfig {
        guard let file = paths.daemonsFile else { throw DaemonsConfigError.noFile(paths: paths) }
        return load(file: file, host: host)
    }

    public static func load(file: String, host: LuaHost) -> DaemonsConfig {
        var config = DaemonsConfig(file: file, specs: [], problems: [])
        do {
            let declarations = try DeclarationCollector.run(file: file, host: host)
            config.read(declarations, host: host)
        } catch let e as LuaError {
            config.problems.append(ScriptProblem(e, file: file))
        } catch {
            config.problems.append(ScriptProblem(file: file, line: nil, message: String(describing: error)))
        }
        return config
    }

    /// For commands that only need the list: the specs, or an error listing every problem.
    public static func loadSpecs(paths: ScriptPaths, home: Home? = nil) throws -> [DaemonSpec] {
        let host = try LuaHost(home: home ?? Home.resolve(explicit: nil), paths: paths)
        let config = try load(paths: paths, host: host)
        guard config.isValid else { throw DaemonsConfigError.invalid(file: config.file, problems: config.problems) }
        return config.specs
    }

    private mutating func read(_ declarations: [Declaration], host: LuaHost) {
        var seen: [String: String] = [:]
        for d in declarations {
            // A refused declaration's body is never read: release it here (the reader
            // releases the ones it reads).
            var bodyHandedOn = false
            defer { if !bodyHandedOn, let body = d.body { host.vm.release(body) } }
            let at = "\(d.file):\(d.line)"
            guard let name = d.name else {
                problems.append(ScriptProblem(file: d.file, line: d.line, message: "daemon name must be a string, e.g. daemon \"my-daemon\" { … }; got \(d.nameDescription)"))
                continue
            }
            if let problem = DaemonName.validateForDaemon(name) {
                problems.append(ScriptProblem(file: d.file, line: d.line, message: problem))
                continue
            }
            if let first = seen[name] {
                problems.append(ScriptProblem(file: d.file, line: d.line, message: "daemon '\(name)' is declared twice (first at \(first))"))
                continue
            }
            seen[name] = at
            bodyHandedOn = true
            var reader = DaemonBodyReader(name: name, declaredAt: at, configFolder: FileSystem.parentDirectory(of: d.file), host: host)
            let spec = reader.read(d)
            problems += reader.problems.map { ScriptProblem(file: d.file, line: d.line, message: "daemon '\(name)': \($0)") }
            if let spec, reader.problems.isEmpty { specs.append(spec) }
        }
        checkAcrossDaemons(declared: seen.keys.sorted(), at: seen)
    }

    /// What no single declaration shows: `after` names and cycles, and env files. A
    /// daemon with such a problem is left out of `specs` like any other.
    private mutating func checkAcrossDaemons(declared: [String], at declaredAt: [String: String]) {
        var refused = Set<String>()
        func report(_ daemon: String, _ message: String) {
            let loc = declaredAt[daemon].flatMap { LuaError.parseLocation($0 + ":") }
            problems.append(ScriptProblem(file: loc?.file ?? file, line: loc?.line, message: "daemon '\(daemon)': \(message)"))
            refused.insert(daemon)
        }
        for spec in specs {
            guard let path = spec.envFile else { continue }
            do { _ = try EnvFile.load(path) } catch let error as EnvFile.LoadError {
                switch error {
                case .invalid(let bad):
                    problems += bad.map { ScriptProblem(file: $0.file, line: $0.line, message: "\($0.message) (env_file of daemon '\(spec.name)')") }
                    refused.insert(spec.name)
                default: report(spec.name, "env_file: \(error)")
                }
            } catch {
                report(spec.name, "env_file: \(error)")
            }
        }
        for problem in StartOrder.problems(specs, declared: declared) {
            report(problem.daemon, problem.message)
            refused.formUnion(problem.concerns)
        }
        specs.removeAll { refused.contains($0.name) }
    }
}

public enum DaemonsConfigError: Error, CustomStringConvertible, Sendable {
    case noFile(paths: ScriptPaths)
    case invalid(file: String, problems: [ScriptProblem])

    public var description: String {
        switch self {
        case .noFile(let paths):
            return "no daemons.lua in \(paths.configDir)" + (paths.shippedDir.map { " and none shipped in \($0)/config" } ?? " (and no shipped default found)")
        case .invalid(_, let problems):
            return problems.map(\.description).joined(separator: "\n")
        }
    }

    public var problems: [ScriptProblem] {
        if case .invalid(_, let p) = self { return p }
        return []
    }
}
