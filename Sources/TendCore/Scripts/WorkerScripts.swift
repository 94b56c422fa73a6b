import TendSystem
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The monitor's user Lua, run by script workers (docs/design/script-worker.md): the
/// monitor's loop never runs a line of it. One worker takes the decisions and the
/// configuration loads, so a slow check never delays a restart; checks go to a pool of
/// workers started on demand, each running one check at a time.
///
/// Every request has a deadline. A worker that misses one, or dies, is killed with what
/// it started and replaced; what it owed is answered without it: the built-in policy
/// decides (in the monitor, a trusted state of its own), a check is "unknown", a load
/// keeps the configuration in force. Every answer goes to `answers`, which queues it.
public final class WorkerScripts: ScriptService, LoopParticipant {
    public struct Options: Sendable {
        /// Seconds a decision may take (the state machine's own deadline, a little later,
        /// is the backstop).
        public var decideDeadline = 0.25
        /// Seconds daemons.lua may take to load.
        public var loadDeadline = 5.0
        /// Extra seconds a check gets beyond its own timeout before its worker is killed.
        public var checkGrace = 1.0
        /// Check workers at most. 16, not 8: 50 checks of 0.5 s due together took 7 batches
        /// (3.5 s) with 8 workers and take 4 (2.0 s) with 16 (CheckConcurrencyTests). A
        /// worker costs some 4 MiB PSS (release) and only while checks keep it busy: it is
        /// started on demand and closed after `idleTimeout`.
        public var poolSize = 16
        /// An idle check worker is closed after this many seconds.
        public var idleTimeout = 60.0
        /// The decision worker is closed after this many idle seconds: an idle monitor then
        /// costs two processes, not three; the next death starts it again (some 20 ms,
        /// well within a decision's deadline).
        public var deciderIdleTimeout = 30.0
        public init() {}
    }

    public weak var answers: ScriptAnswers?
    private let home: Home
    private let executable: String
    private let environment: [String: String]
    private var fallback: RestartPolicy
    /// Decides in the monitor for the daemons it covers (Tend's shipped policy, unedited).
    private let inProcess: InProcessPolicy?
    private let options: Options
    /// Where workers' stderr goes (logs/monitor.log).
    private let log: Int32

    private var decider: WorkerProcess?
    private var pool: [WorkerProcess] = []
    private var waitingDecisions: [WorkerProcess.Job] = []
    private var waitingChecks: [WorkerProcess.Job] = []
    private var nextNumber = 0
    private var nextID: UInt64 = 1
    /// Scripts whose top level blocked a load (a C call that waits: the worker had to be
    /// killed), by path, with the file's metadata then and the problem to report. Loads do
    /// not run them until the file changes; decisions and checks still do, under their own
    /// deadlines.
    private var blockedScripts: [String: (info: FileSystem.Info?, problem: ScriptState)] = [:]
    /// daemons.lua, as the last load that worked named it.
    private var daemonsFile: String?

    /// - Parameters:
    ///   - environment: the workers' environment (`TEND_HOME`, `TEND_CONFIG_DIR`, …).
    ///   - fallback: the built-in policy, for a decision no worker gave in time.
    ///   - inProcess: decides without a worker for the daemons it covers.
    public init(home: Home, executable: String, environment: [String: String], fallback: RestartPolicy,
                inProcess: InProcessPolicy? = nil, options: Options = Options()) throws {
        self.home = home
        self.executable = executable
        var env = environment
        env["TEND_DECIDE_DEADLINE_MS"] = String(Int(options.decideDeadline * 1000))
        self.environment = env
        self.fallback = fallback
        self.inProcess = inProcess
        self.options = options
        try home.prepare()
        log = try openAppend(home.monitorLog)
    }

    deinit {
        for worker in [decider].compactMap({ $0 }) + pool { worker.close() }
        closeFD(log)
    }

    // MARK: - ScriptService

    public func ask(_ question: PolicyQuestion) {
        if let decision = inProcess?.decideIfCovered(question.context) {
            answers?.decided(question.daemon, ticket: question.ticket, decision)
            return
        }
        waitingDecisions.append(.decide(question))
        pump()
    }

    public func check(_ request: CheckRequest) {
        waitingChecks.append(.check(request))
        pump()
    }

    public func loadConfiguration() {
        waitingDecisions.append(.load)
        // What the check workers hold of daemons.lua (its inline checks) is old now.
        for worker in pool { worker.primed = false }
        pump()
    }

    public func fallbackDecision(_ context: RestartContext) -> RestartDecision {
        fallback.decide(context)
    }

    // MARK: - LoopParticipant

    public var descriptors: [Int32] { workers.map(\.replies) }

    public var processIDs: [Int32] { workers.map(\.identity.pid) }

    public func readable(_ fd: Int32) {
        guard let worker = workers.first(where: { $0.replies == fd }) else { return }
        guard let lines = worker.readLines() else {
            return replace(worker, why: "the script worker's reply stream ended")
        }
        for line in lines where !line.isEmpty { receive(line, from: worker) }
        pump()
    }

    public var nextDeadline: Double? {
        let jobs = workers.compactMap { $0.job?.deadline }
        let idle = pool.filter(\.isIdle).map { $0.idleSince + options.idleTimeout }
        let decider = decider.flatMap { $0.isIdle && waitingDecisions.isEmpty ? $0.idleSince + options.deciderIdleTimeout : nil }
        return (jobs + idle + [decider].compactMap { $0 }).min()
    }

    public func fireDeadlines(now: Double) {
        for worker in workers {
            if let job = worker.job, job.deadline <= now, !loadAgainWithoutBlockedScript(worker) {
                replace(worker, why: lateness(job.job, worker: worker))
            }
        }
        // Idle workers go after a while; the next job starts one again.
        for worker in pool where worker.isIdle && worker.idleSince + options.idleTimeout <= now {
            pool.removeAll { $0 === worker }
            retire(worker)
        }
        if let idle = decider, idle.isIdle, waitingDecisions.isEmpty, idle.idleSince + options.deciderIdleTimeout <= now {
            decider = nil
            retire(idle)
        }
        pump()
    }

    public func reaped(pid: Int32, status: Int32) -> Bool {
        guard let worker = workers.first(where: { $0.identity.pid == pid }) else {
            return closed.remove(pid) != nil
        }
        replace(worker, why: "the script worker died (\(ExitInfo.fromWaitStatus(status, at: 0, uptime: nil, pid: pid).reason))")
        pump()
        return true
    }

    // MARK: - Workers

    private var workers: [WorkerProcess] { [decider].compactMap { $0 } + pool }
    /// Workers closed or killed whose exit is still to be reaped (ours, not a daemon's).
    private var closed: Set<Int32> = []

    private func spawnWorker() -> WorkerProcess? {
        nextNumber += 1
        do {
            return try WorkerProcess.spawn(number: nextNumber, executable: executable, home: home,
                                           environment: environment, log: log)
        } catch {
            try? FileSystem.writeAll(log, Array("tend monitor: cannot start a script worker: \(error)\n".utf8))
            return nil
        }
    }

    /// Hands waiting jobs to idle workers, starting workers as needed.
    private func pump() {
        if !waitingDecisions.isEmpty {
            if decider == nil { decider = spawnWorker() }
            if let decider, decider.isIdle {
                let job = waitingDecisions.removeFirst()
                if !send(job, to: decider) { pump() }
            } else if decider == nil {
                // No worker can be started: answer every waiting job without one.
                for job in waitingDecisions { fail(job, why: "no script worker could be started (see \(home.monitorLog))") }
                waitingDecisions.removeAll()
            }
        }
        while let job = waitingChecks.first {
            if let worker = pool.first(where: { $0.isIdle && $0.primed }) {
                waitingChecks.removeFirst()
                _ = send(job, to: worker)
                continue
            }
            // A check worker reads daemons.lua first (inline checks live there).
            if let worker = pool.first(where: { $0.isIdle && !$0.primed }) {
                _ = send(.prime, to: worker)
                continue
            }
            let priming = pool.filter(\.isPriming).count
            guard waitingChecks.count > priming, let worker = startCheckWorker() else { break }
            _ = send(.prime, to: worker)
        }
    }

    private func startCheckWorker() -> WorkerProcess? {
        guard pool.count < options.poolSize, let worker = spawnWorker() else {
            if pool.isEmpty {
                for job in waitingChecks { fail(job, why: "no script worker could be started (see \(home.monitorLog))") }
                waitingChecks.removeAll()
            }
            return nil
        }
        pool.append(worker)
        return worker
    }

    /// Sends one job; false when the worker could not take it (it is replaced).
    private func send(_ job: WorkerProcess.Job, to worker: WorkerProcess) -> Bool {
        let id = nextID
        nextID += 1
        let now = Clock.monotonic()
        let request: ScriptWorkerRequest
        let deadline: Double
        switch job {
        case .load:
            blockedScripts = blockedScripts.filter { FileSystem.info($0.key) == $0.value.info }
            request = .load(id: id, skip: blockedScripts.keys.sorted())
            deadline = now + options.loadDeadline
        case .prime:
            // Inline checks live in daemons.lua: a check worker needs nothing else.
            request = .load(id: id, preload: false)
            deadline = now + options.loadDeadline
        case .decide(let q):
            request = .decide(id: id, daemon: q.context.daemon, exit: q.context.exit, history: q.context.history.events, now: q.context.now)
            deadline = now + options.decideDeadline
        case .check(let r):
            let timeout = r.timeout
            request = .check(id: id, daemon: r.spec, pid: r.pid)
            deadline = now + timeout + options.checkGrace
        }
        do {
            try worker.send(ScriptWorkerCoding.line(request), id: id, job: job, deadline: deadline)
            return true
        } catch {
            requeue(job)
            replace(worker, why: "cannot send to the script worker: \(error)")
            return false
        }
    }

    private func requeue(_ job: WorkerProcess.Job) {
        switch job {
        case .load, .decide: waitingDecisions.insert(job, at: 0)
        case .check: waitingChecks.insert(job, at: 0)
        case .prime: break
        }
    }

    private func receive(_ line: String, from worker: WorkerProcess) {
        guard let (id, job) = worker.job.map({ ($0.id, $0.job) }),
              let reply = try? JSONValue.parse(line), reply["id"]?.intValue == Int64(exactly: id) else {
            return replace(worker, why: "the script worker answered out of turn: \(line.prefix(200))")
        }
        _ = worker.finishJob()
        do {
            switch job {
            case .prime:
                worker.primed = true
            case .load:
                if let failed = try? FailedReply(jsonValue: reply), !failed.ok {
                    answers?.configurationLoaded(.failure(ConfigurationProblem(failed.error)))
                    return
                }
                let loaded = try LoadReply(jsonValue: reply)
                guard loaded.ok else {
                    let problems = loaded.problems.map(\.description).joined(separator: "\n")
                    answers?.configurationLoaded(.failure(ConfigurationProblem(problems.isEmpty ? "daemons.lua did not load" : problems)))
                    return
                }
                daemonsFile = loaded.file
                let timings = loaded.checks.mapValues { CheckTimings(interval: $0.interval, timeout: $0.timeout) }
                let blocked = blockedScripts.values.map(\.problem).sorted { $0.file < $1.file }
                answers?.configurationLoaded(.success(LoadedConfiguration(specs: loaded.specs, checkTimings: timings,
                                                                          scriptProblems: loaded.scripts + blocked)))
            case .decide(let q):
                let decided = try DecideReply(jsonValue: reply)
                // The problem as `file:line: message`: what is in force instead is the decision's `version`.
                let problem = decided.scripts.first.map { "\($0.problem)" }
                answers?.decided(q.daemon, ticket: q.ticket, decided.decision.restartDecision(problem: problem))
            case .check(let r):
                answers?.checked(r.daemon, pid: r.pid, try CheckReply(jsonValue: reply).health)
            }
        } catch {
            fail(job, why: "the script worker's answer could not be read: \(error)")
        }
    }

    /// Closes an idle worker's pipes: it reads EOF and exits; its exit is reaped here.
    private func retire(_ worker: WorkerProcess) {
        worker.close()
        closed.insert(worker.identity.pid)
    }

    /// Kills a worker (with what it started) and answers what it owed without it.
    private func replace(_ worker: WorkerProcess, why: String) {
        if let job = discard(worker) { fail(job, why: why) }
    }

    /// Kills a worker (with what it started); returns the job it owed.
    private func discard(_ worker: WorkerProcess) -> WorkerProcess.Job? {
        if worker === decider { decider = nil }
        pool.removeAll { $0 === worker }
        worker.kill(home: home)
        closed.insert(worker.identity.pid)
        return worker.finishJob()?.job
    }

    /// `0.3 s`, `2 s`: a check's timeout is often below a second.
    static func seconds(_ value: Double) -> String {
        let tenths = Int((value * 10).rounded())
        return tenths % 10 == 0 ? "\(tenths / 10) s" : "\(tenths / 10).\(tenths % 10) s"
    }

    private func fail(_ job: WorkerProcess.Job, why: String) {
        switch job {
        case .prime: break
        case .load: answers?.configurationLoaded(.failure(ConfigurationProblem("daemons.lua: \(why)")))
        case .decide(let q): answers?.policyUnavailable(q.daemon, ticket: q.ticket, why: why)
        case .check(let r): answers?.checked(r.daemon, pid: r.pid, HealthResult(.unknown, reason: why))
        }
    }

    /// A load that missed its deadline in a script daemons.lua names (its top level blocks
    /// in C: a policy or check file that opens a FIFO nobody writes): that file is not run
    /// at load again until it changes, and the load is asked again at once, so a broken
    /// policy file never keeps the configuration out. False when the load is not in such a
    /// script (daemons.lua itself, or a file that blocked before): the load fails.
    private func loadAgainWithoutBlockedScript(_ worker: WorkerProcess) -> Bool {
        guard case .load? = worker.job?.job, let location = worker.location,
              let colon = location.lastIndex(of: ":"), let line = Int(location[location.index(after: colon)...]) else { return false }
        let file = String(location[..<colon])
        guard file != daemonsFile, !file.hasSuffix("/daemons.lua"), blockedScripts[file] == nil else { return false }
        let isCheck = file.contains("/policies/health/")
        let problem = ScriptState(file: file, line: line, kind: isCheck ? .health : .policy,
                                  message: "did not load within \(Int(options.loadDeadline)) s (a blocking call?): not run at load again until the file changes",
                                  inForce: isCheck ? .none : .fallback)
        blockedScripts[file] = (FileSystem.info(file), problem)
        try? FileSystem.writeAll(log, Array("tend monitor: \(problem.description); loading daemons.lua again without it\n".utf8))
        if let job = discard(worker) { requeue(job) }
        return true
    }

    /// Why a job is late, with where Lua was when the worker was given up on.
    private func lateness(_ job: WorkerProcess.Job, worker: WorkerProcess) -> String {
        let at = worker.location.map { "\($0): " } ?? ""
        switch job {
        case .load, .prime: return "\(at)daemons.lua did not load within \(Int(options.loadDeadline)) s; the script worker was replaced"
        case .decide(let q):
            return "\(at)the policy \(q.context.daemon.policy) did not decide within \(Int((options.decideDeadline * 1000).rounded())) ms (a blocking call?); the script worker was replaced"
        case .check(let r):
            return "\(at)the check timed out after \(Self.seconds(r.timeout)); it and what it started were killed"
        }
    }
}
