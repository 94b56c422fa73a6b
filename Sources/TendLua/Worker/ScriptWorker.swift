import TendCore
import TendSystem

/// The worker side of `docs/design/script-worker.md`: requests in, replies out, one at a
/// time. One Lua state (one `LuaHost`) holds daemons.lua (inline checks live there), the
/// restart policies (reloaded when their file changes, the last good version kept) and
/// the health checks, all sandboxed. Its own limits come first — the budgets below, the
/// memory cap — so a script that misbehaves is a reply, not a missed deadline; only a C
/// call that blocks leaves the monitor's deadline to act (the location file then says
/// where Lua was).
public final class ScriptWorker {
    public let host: LuaHost
    private let policies: LuaRestartPolicy
    private let checks: LuaHealthChecks
    private let location: LocationFile?
    /// Seconds a decision may take in here, a policy's reload included: well inside the
    /// monitor's deadline, so the built-in policy here still answers in time.
    public let decideBudget: Double
    /// Seconds a load may take in all (daemons.lua, then each script it names, each at
    /// most `LuaHost`'s 1 s): inside the monitor's 5 s.
    public static let loadBudget = 4.0
    /// daemons.lua as last read here, to reload inline checks when the file changed.
    private var configuration: (file: String, stamp: FileStamp?)?

    /// `decideDeadline`: the monitor's deadline for a decision (`TEND_DECIDE_DEADLINE_MS`).
    public init(home: Home, paths: ScriptPaths, decideDeadline: Double = 0.25, location: LocationFile? = nil) throws {
        host = try LuaHost(home: home, paths: paths, logName: DaemonName.reserved)
        // Problems travel in the replies (`scripts`); the monitor logs them.
        policies = try LuaRestartPolicy(host: host)
        checks = LuaHealthChecks(host: host)
        decideBudget = decideDeadline * 0.6
        self.location = location
        location?.attach(host.vm)
    }

    deinit { location?.detach(host.vm) }

    /// The reply line (with its newline) to one request line.
    public func handle(line: String) -> [UInt8] {
        let request: ScriptWorkerRequest
        do {
            request = try ScriptWorkerCoding.decode(ScriptWorkerRequest.self, from: line)
        } catch {
            let id = (try? JSONValue.parse(line))?["id"]?.intValue.flatMap(UInt64.init(exactly:)) ?? 0
            return ScriptWorkerCoding.line(FailedReply(id: id, error: "not a request: \(error)"))
        }
        location?.setRequest(request.id)
        defer { location?.setRequest(0) }
        switch request {
        case .load(let id, let preload, let skip): return ScriptWorkerCoding.line(load(id: id, preload: preload, skip: Set(skip)))
        case .decide(let id, let daemon, let exit, let history, let now):
            return ScriptWorkerCoding.line(decide(id: id, RestartContext(daemon: daemon, exit: exit, history: RestartHistory(events: history), now: now)))
        case .check(let id, let daemon, let pid): return ScriptWorkerCoding.line(check(id: id, daemon, pid: pid))
        }
    }

    // MARK: load

    /// - Parameters:
    ///   - preload: false: daemons.lua only, no script it names is run (and no check
    ///     settings are resolved): what a check worker needs for inline checks.
    ///   - skip: scripts (paths) not to run here; their check settings come from
    ///     daemons.lua alone. The monitor names the files whose top level blocked a load.
    public func load(id: UInt64, preload: Bool = true, skip: Set<String> = []) -> LoadReply {
        let deadline = Clock.monotonic() + Self.loadBudget
        func left() -> Double { max(LuaRestartPolicy.shortestAttempt, min(1, deadline - Clock.monotonic())) }
        guard let file = host.paths.daemonsFile else {
            let problem = ScriptProblem(file: "\(host.paths.configDir)/daemons.lua", line: nil,
                                        message: DaemonsConfigError.noFile(paths: host.paths).description)
            return LoadReply(id: id, ok: false, file: nil, specs: [], checks: [:], problems: [problem], scripts: [])
        }
        configuration = (file, FileStamp(file))
        let config = DaemonsConfig.load(file: file, host: host)
        guard config.isValid else {
            return LoadReply(id: id, ok: false, file: file, specs: [], checks: [:], problems: config.problems, scripts: [])
        }
        var scripts: [ScriptState] = []
        var settings: [String: CheckSettings] = [:]
        guard preload else {
            return LoadReply(id: id, ok: true, file: file, specs: config.specs, checks: [:], problems: [], scripts: [])
        }
        var preloaded = Set<String>()
        func skipped(_ name: String, _ kind: ScriptPaths.Kind) -> Bool {
            host.paths.find(name, kind: kind).map(skip.contains) ?? false
        }
        for spec in config.specs {
            for (kind, name) in spec.namedScripts {
                guard let name, preloaded.insert("\(kind.rawValue)/\(name)").inserted, !skipped(name, kind) else { continue }
                switch kind {
                case .policy: scripts += policies.preload([name], budget: left())
                case .health: if let state = checks.preload(name, budget: left()) { scripts.append(state) }
                case .plugin:
                    // Plugins run as daemons of their own; here only their existence is checked.
                    if host.paths.find(name, kind: .plugin) == nil {
                        let loc = LuaError.parseLocation(spec.declaredAt + ":")
                        scripts.append(ScriptState(file: loc?.file ?? file, line: loc?.line, kind: .config,
                                                   message: "daemon '\(spec.name)': \(host.paths.notFound(name, kind: .plugin))", inForce: .none))
                    }
                case .library: break
                }
            }
            if let health = spec.health, case .named(let name, _) = health, skipped(name, .health) {
                settings[spec.name] = CheckSettings(interval: health.arguments["interval"]?.doubleValue,
                                                    timeout: health.arguments["timeout"]?.doubleValue ?? LuaHealthChecks.defaultTimeout)
            } else if spec.health != nil {
                settings[spec.name] = CheckSettings(interval: checks.interval(for: spec), timeout: checks.timeout(for: spec))
            }
        }
        return LoadReply(id: id, ok: true, file: file, specs: config.specs, checks: settings, problems: [], scripts: scripts)
    }

    // MARK: decide

    public func decide(id: UInt64, _ context: RestartContext) -> DecideReply {
        let outcome = policies.decide(context, budget: decideBudget)
        return DecideReply(id: id, decision: PolicyDecision(outcome.decision),
                           scripts: outcome.problem.map { [$0] } ?? [])
    }

    // MARK: check

    public func check(id: UInt64, _ daemon: DaemonSpec, pid: Int32?) -> CheckReply {
        if case .inline(let key, _)? = daemon.health, !host.hasInline(key: key) || configurationChanged {
            // A pool worker that never loaded daemons.lua, or an edited one: the inline
            // functions live there (the scripts it names are not needed for this).
            _ = load(id: id, preload: false)
        }
        guard let outcome = checks.checkReporting(daemon, pid: pid) else {
            return CheckReply(id: id, health: HealthResult(.unknown, reason: "daemon '\(daemon.name)' has no health check"), scripts: [])
        }
        return CheckReply(id: id, health: outcome.result, scripts: outcome.problem.map { [$0] } ?? [])
    }

    private var configurationChanged: Bool {
        guard let configuration else { return true }
        return host.paths.daemonsFile != configuration.file || FileStamp(configuration.file) != configuration.stamp
    }
}
