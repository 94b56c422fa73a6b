import TendSystem

/// The monitor without its I/O loop: the daemons, one queue of events, and the
/// performing of the state machine's actions through the seams of `MonitorServices`.
/// Everything that happens to a daemon (a request, a death, a policy answer, a check
/// result, a configuration load, a deadline) is posted as an event and handled by
/// `drain()`, one at a time, in order; an action that leads to an event posts it.
public final class MonitorCore {
    public struct Options: Sendable {
        /// Seconds between health checks when neither daemons.lua nor the check says.
        public var interval: Double = 300
        /// How long a restart policy has to answer before the built-in policy decides.
        public var decideDeadline: Double = 0.25
        public var rotation: RotationOptions = .fromEnvironment()
        /// Added to the environment of every daemon (e.g. `TEND_CONFIG_DIR`, so plugin
        /// daemons find the same scripts as the monitor).
        public var daemonEnvironment: [String: String] = [:]
        public init() {}
    }

    let home: Home
    let tendExecutable: String
    let options: Options
    let processes: ProcessControl
    let clock: MonitorClock
    let scripts: ScriptService
    let monitorLog: DaemonLogger

    /// The declared daemons, in daemons.lua's order.
    private(set) var order: [String] = []
    /// Every daemon the monitor knows: the declared ones, and undeclared ones that still run.
    var daemons: [String: DaemonRuntime] = [:]
    /// Whether a configuration has been installed (requests wait for it).
    private(set) var configured = false
    var baseEnvironment: [String: String]

    private enum Work {
        case event(String, Supervision.Event)
        case configuration(Result<LoadedConfiguration, ConfigurationProblem>)
    }
    private var queue: [Work] = []
    /// When to try again the writes that failed (monotonic); nil when nothing is owed.
    private(set) var retryAt: Double?
    /// SIGKILLs owed to daemons' leftovers after their SIGTERM (not daemon state: these
    /// processes are no daemon's process any more).
    var leftoverKills: [LeftoverKill] = []
    /// Script problems already written to health.log (each is said once).
    var reportedScriptProblems: Set<String> = []
    /// Why each configuration load still awaited was asked for, oldest first.
    private var reloadReasons: [String] = []
    private var queueHead = 0

    /// Called after each configuration load is applied (nil: none was wanted, or the
    /// problem that kept the old one).
    var onConfigurationApplied: ((ConfigurationProblem?, [ScriptState]) -> Void)?
    /// Lines describing what was done, for `tend monitor --once`; nil for a long-lived monitor.
    var actionLog: [String]?

    public init(home: Home, tendExecutable: String, options: Options,
                processes: ProcessControl, clock: MonitorClock, scripts: ScriptService) {
        self.home = home
        self.tendExecutable = tendExecutable
        self.options = options
        self.processes = processes
        self.clock = clock
        self.scripts = scripts
        monitorLog = DaemonLogger(home: home, daemon: DaemonName.reserved, rotation: options.rotation)
        baseEnvironment = Spawner.currentEnvironment()
        baseEnvironment["TEND_HOME"] = home.root
        for (k, v) in options.daemonEnvironment { baseEnvironment[k] = v }
        scripts.answers = self
    }

    // MARK: - The queue

    /// Queues an event for a daemon; `drain` handles it.
    func post(_ daemon: String, _ event: Supervision.Event) {
        queue.append(.event(daemon, event))
    }

    /// Handles queued events until none is left (actions may queue more).
    public func drain() {
        repeat {
            while queueHead < queue.count {
                let work = queue[queueHead]
                queueHead += 1
                switch work {
                case .event(let name, let event): handle(name, event)
                case .configuration(let result): apply(result)
                }
            }
            queue.removeAll(keepingCapacity: true)
            queueHead = 0
        } while releaseReadyDependents()
    }

    private func handle(_ name: String, _ event: Supervision.Event) {
        guard let rt = daemons[name] else { return }
        // Only a user's start or restart looks at what the last run left (a look at /proc
        // per leftover): no other event's cell reads it.
        let startsByHand = event == .start || event == .restart
        let context = Supervision.Context(now: clock.monotonic, stopTimeout: rt.spec.stopTimeout,
                                          decideDeadline: options.decideDeadline, readyTimeout: rt.spec.readyTimeout,
                                          hasCheck: rt.spec.health != nil, leftovers: startsByHand ? liveLeftovers(rt).map(\.pid) : [],
                                          leftoversAreTheProgram: rt.facts.lastExit.map { $0.cause == .exited && $0.code == 0 } ?? false)
        let (next, actions) = Supervision.transition(rt.state, event, context)
        rt.state = next
        for action in actions { perform(action, on: rt) }
    }

    /// What the daemon's last run left running, still alive, while no process of its own
    /// runs (a running process's tree is its own). Empty, without a look at /proc, for
    /// nearly every daemon: only a death with leftovers names any.
    func liveLeftovers(_ rt: DaemonRuntime) -> [ProcessIdentity] {
        guard rt.state.phase.process == nil, let left = rt.facts.lastExit?.leftovers else { return [] }
        return left.filter { processes.check($0) == .alive }
    }

    /// Posts a `tick` to every daemon whose deadline has passed, and runs due checks.
    public func fireDeadlines() {
        let now = clock.monotonic
        for rt in daemons.values {
            if let due = Supervision.deadline(of: rt.state.phase), due <= now { post(rt.name, .tick) }
        }
        drain()
        fireLeftoverKills(now: now)
        runDueChecks(now: now)
    }

    /// The monotonic time of the next deadline (a stop timeout, a scheduled restart, a
    /// policy's deadline, a health check), if any.
    public func nextDeadline() -> Double? {
        var soonest: Double? = ([retryAt].compactMap { $0 } + leftoverKills.map(\.at)).min()
        for rt in daemons.values {
            for due in [Supervision.deadline(of: rt.state.phase), rt.checkInFlight == nil ? rt.nextCheck : nil] {
                if let due { soonest = min(soonest ?? due, due) }
            }
        }
        return soonest
    }

    // MARK: - Configuration

    /// Asks for daemons.lua to be read (again), saying why in the log; the result is
    /// applied when it comes.
    public func reload(reason: String) {
        reloadReasons.append(reason)
        scripts.loadConfiguration()
    }

    private func apply(_ result: Result<LoadedConfiguration, ConfigurationProblem>) {
        let reason = reloadReasons.isEmpty ? "" : " (\(reloadReasons.removeFirst()))"
        switch result {
        case .success(let config):
            let first = !configured
            install(config)
            noteScriptProblems(config.scriptProblems)
            configured = true
            try? monitorLog.info((first ? "configuration loaded" : "configuration reloaded") + reason,
                                 fields: ["daemons": .int(Int64(order.count))])
            if first { discoverAll() }
            onConfigurationApplied?(nil, config.scriptProblems)
        case .failure(let problem):
            try? monitorLog.error("configuration not loaded\(reason), the previous one stays in force: \(problem)", fields: [:])
            onConfigurationApplied?(problem, [])
        }
    }

    /// Installs a configuration: new daemons get a runtime, changed ones their new spec,
    /// and every daemon learns whether it is still declared.
    private func install(_ config: LoadedConfiguration) {
        order = config.specs.map(\.name)
        for spec in config.specs {
            if let rt = daemons[spec.name] {
                rt.spec = spec
            } else {
                daemons[spec.name] = DaemonRuntime(spec: spec, home: home, rotation: options.rotation)
            }
            daemons[spec.name]!.checkTimings = spec.health == nil ? nil : config.checkTimings[spec.name]
        }
        let declared = Set(order)
        for rt in daemons.values {
            let isDeclared = declared.contains(rt.name)
            if !isDeclared, rt.state.phase.process == nil, configured { processes.release(rt.name) }
            if isDeclared != rt.state.declared || !configured { post(rt.name, .configured(declared: isDeclared)) }
        }
    }

    // MARK: - Flushing

    /// Writes what changed: records, PID files, histories, log records (after the urgent
    /// work is done, so a restart never waits for the disk). A write that fails stays owed
    /// and is tried again on a timer (`retryAt`), so it lands soon after space returns.
    @discardableResult
    public func flush() -> Bool {
        let wall = clock.wall, mono = clock.monotonic
        var allWritten = true
        for rt in daemons.values {
            var problem: String?
            func attempt(_ what: String, _ write: () throws -> Void) {
                do { try write() } catch {
                    problem = problem ?? "\(error)"
                    if rt.writeProblem == nil { reportWriteFailure("\(what) of \(rt.name)", error) }
                }
            }
            if !rt.pendingLog.isEmpty {
                attempt("log") { try rt.pendingLog.write(to: rt.logger, at: wall) }
            }
            if rt.recordDirty || rt.writeProblem != nil {
                attempt("state") {
                    try rt.save(home, rt.persisted(wallNow: wall, monotonicNow: mono))
                    rt.recordDirty = false
                }
            }
            if rt.historyDirty {
                attempt("history") {
                    try rt.history.save(home, rt.name)
                    rt.historyDirty = false
                }
            }
            if rt.writeProblem != nil && problem == nil {
                try? monitorLog.info("\(rt.name): written again after a failure (\(rt.writeProblem!))", fields: [:])
            }
            rt.writeProblem = problem
            if problem != nil { allWritten = false }
        }
        retryAt = allWritten ? nil : (retryAt ?? mono + Self.writeRetryInterval)
        if let due = retryAt, due <= mono { retryAt = mono + Self.writeRetryInterval }
        return allWritten
    }

    /// Seconds between attempts at writes the disk refused.
    static let writeRetryInterval = 2.0

    /// A write failed (full disk, permissions): say so in the monitor's log and on
    /// stderr, keep running; the in-memory state stays right and is written next time.
    func reportWriteFailure(_ what: String, _ error: Error) {
        let message = "cannot write \(what): \(error)"
        try? monitorLog.error(message, fields: [:])
        try? FileSystem.writeAll(2, Array("tend monitor: \(message)\n".utf8))
    }

    func say(_ line: String) { actionLog?.append(line) }

    /// The declared daemons, in order.
    public var declaredNames: [String] { order }
}

// MARK: - Answers from the script service: queued, never handled by recursion

extension MonitorCore: ScriptAnswers {
    public func decided(_ daemon: String, ticket: Int, _ decision: RestartDecision) {
        recordDecision(daemon, ticket: ticket, decision)
        post(daemon, .decided(decision, ticket: ticket))
    }

    public func policyUnavailable(_ daemon: String, ticket: Int, why: String) {
        post(daemon, .policyUnavailable(ticket: ticket, why: why))
    }

    public func checked(_ daemon: String, pid: Int32, _ result: HealthResult) {
        guard let rt = daemons[daemon], rt.checkInFlight == pid else { return }
        rt.checkInFlight = nil
        scheduleCheck(rt)
        if result.state != .unknown { noteCheckWorked(rt) }
        // A result about a process that has since been replaced is not news.
        guard rt.state.phase.process?.pid == pid else { return }
        post(daemon, .health(result))
    }

    public func configurationLoaded(_ result: Result<LoadedConfiguration, ConfigurationProblem>) {
        queue.append(.configuration(result))
    }

    /// The policy-hit record of an answer to the question that is still open.
    func recordDecision(_ daemon: String, ticket: Int, _ decision: RestartDecision) {
        guard let rt = daemons[daemon], case .deciding(let info, let open, _) = rt.state.phase, open == ticket else { return }
        rt.pendingLog.append(PolicyHit(ts: clock.wall, daemon: daemon, exit: info, decision: decision).record)
        noteDecisionProblem(rt, decision)
        say("\(daemon): policy \(decision.source): \(decision.summary) (\(decision.reason))")
    }
}
