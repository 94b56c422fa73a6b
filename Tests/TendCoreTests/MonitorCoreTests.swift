import XCTest
import TendSystem
import TendTestSupport
@testable import TendCore

/// The monitor's core driven with fakes: a fake process table and spawner, a clock the
/// test moves, and a policy the test answers (or not). No processes, no sleeps.
final class MonitorCoreTests: XCTestCase {
    final class FakeClock: MonitorClock {
        var wall = 1_800_000_000.0
        var monotonic = 500.0
        func advance(_ seconds: Double) { wall += seconds; monotonic += seconds }
    }

    final class FakeProcesses: ProcessControl {
        var alive: Set<ProcessIdentity> = []
        var spawned: [(name: String, identity: ProcessIdentity)] = []
        var signals: [(target: StopTarget, signal: Signal)] = []
        var watched: [String] = []
        var failSpawns = false
        private var nextPID: Int32 = 1000

        func spawn(_ spec: DaemonSpec, argv: [String], environment: [String: String]) throws -> ProcessIdentity {
            if failSpawns { throw Spawner.Failure.commandNotFound(argv.first ?? "") }
            nextPID += 1
            let identity = ProcessIdentity(pid: nextPID, startTime: UInt64(nextPID) * 10)
            alive.insert(identity)
            spawned.append((spec.name, identity))
            return identity
        }
        func check(_ identity: ProcessIdentity) -> IdentityCheck { alive.contains(identity) ? .alive : .gone }
        func watch(_ identity: ProcessIdentity, of daemon: String) -> Bool {
            watched.append(daemon)
            return alive.contains(identity)
        }
        func unwatch(_ daemon: String) {}
        func isChild(_ identity: ProcessIdentity) -> Bool { true }
        var released: [String] = []
        func release(_ daemon: String) { released.append(daemon) }
        func signal(_ target: StopTarget, _ signal: Signal) -> Int {
            signals.append((target, signal))
            return 1
        }
        func remaining(_ target: StopTarget) -> [ProcessIdentity] { [] }
        func strays(of daemon: String, outside group: Int32?) -> [ProcessIdentity] { [] }
        var running: [String: ProcessIdentity] = [:]
        func findRunning(_ spec: DaemonSpec) -> ProcessIdentity? { running[spec.name] }
    }

    final class FakeScripts: ScriptService {
        weak var answers: ScriptAnswers?
        var questions: [PolicyQuestion] = []
        var checks: [CheckRequest] = []
        var configuration = LoadedConfiguration(specs: [])
        var fallback = RestartDecision(.restartNow, reason: "built-in", policy: "built-in")
        func ask(_ question: PolicyQuestion) { questions.append(question) }
        func check(_ request: CheckRequest) { checks.append(request) }
        func loadConfiguration() { answers?.configurationLoaded(.success(configuration)) }
        func fallbackDecision(_ context: RestartContext) -> RestartDecision { fallback }
    }

    var temp: TempHome!
    var home: Home!
    let clock = FakeClock()
    let processes = FakeProcesses()
    let scripts = FakeScripts()
    var core: MonitorCore!

    override func setUpWithError() throws {
        temp = try TempHome()
        home = Home(root: temp.home)
        try home.prepare()
        scripts.configuration = LoadedConfiguration(specs: [spec("a"), spec("b")])
        var options = MonitorCore.Options()
        options.decideDeadline = 0.25
        core = MonitorCore(home: home, tendExecutable: "/usr/bin/tend", options: options,
                           processes: processes, clock: clock, scripts: scripts)
    }

    override func tearDown() { temp.cleanUp() }

    func spec(_ name: String, health: DaemonSpec.Health? = nil) -> DaemonSpec {
        DaemonSpec(name: name, run: .command(["/bin/sleep", "1000"]), stopTimeout: 5, health: health)
    }

    func phase(_ name: String) -> Supervision.Phase? { core.daemons[name]?.state.phase }

    /// Starts the core: configuration, discovery, and the resulting events.
    func boot() {
        core.reload(reason: "test")
        core.drain()
        XCTAssertTrue(core.configured)
    }

    func started(_ name: String) -> ProcessIdentity {
        core.post(name, .start)
        core.drain()
        guard case .running(let p, _)? = phase(name) else { XCTFail("\(name) not running: \(String(describing: phase(name)))"); return ProcessIdentity(pid: 0, startTime: 0) }
        return p
    }

    func die(_ name: String, _ process: ProcessIdentity) {
        processes.alive.remove(process)
        core.post(name, .exited(ExitInfo(cause: .killed, signal: 9, at: clock.wall, uptime: 10, pid: process.pid)))
        core.drain()
    }

    func bootWithACheckEvery5s() {
        scripts.configuration = LoadedConfiguration(specs: [spec("a", health: .named("process_alive", arguments: [:]))],
                                                    checkTimings: ["a": CheckTimings(interval: 5, timeout: 1)])
        boot()
    }

    // MARK: -

    func testAdoptsARecordedLiveProcessInsteadOfStartingAnother() throws {
        let running = ProcessIdentity(pid: 4242, startTime: 777)
        processes.alive.insert(running)
        var record = DaemonRecord(name: "a", wanted: .up)
        record.process = running
        record.processGroup = 4242
        try record.save(home)
        boot()
        XCTAssertEqual(phase("a"), .running(running, readiness: .ready))
        XCTAssertEqual(processes.watched, ["a"])
        XCTAssertTrue(processes.spawned.isEmpty, "a second instance was started")
        XCTAssertEqual(phase("b"), .down, "b was never wanted up")
    }

    func testAProcessItsRecordDoesNotNameIsAdoptedNotDuplicated() throws {
        var record = DaemonRecord(name: "a", wanted: .up)
        record.process = ProcessIdentity(pid: 4242, startTime: 777)   // the old one, dead
        try record.save(home)
        let unrecorded = ProcessIdentity(pid: 5151, startTime: 888)   // started while the disk was full
        processes.alive.insert(unrecorded)
        processes.running["a"] = unrecorded
        boot()
        XCTAssertEqual(phase("a"), .running(unrecorded, readiness: .ready))
        XCTAssertTrue(processes.spawned.isEmpty, "a second instance was started")
        XCTAssertTrue(scripts.questions.isEmpty)
    }

    func testADeadRecordedProcessWantedUpGoesToThePolicy() throws {
        var record = DaemonRecord(name: "a", wanted: .up)
        record.process = ProcessIdentity(pid: 4242, startTime: 777)   // not alive
        try record.save(home)
        boot()
        XCTAssertEqual(scripts.questions.map(\.daemon), ["a"])
        XCTAssertEqual(scripts.questions.first?.context.exit.cause, .exitedUnknown)
    }

    func testAStopRacingADeathStaysDownWithoutAskingThePolicy() {
        boot()
        let p = started("a")
        core.post("a", .stop)
        processes.alive.remove(p)
        core.post("a", .exited(ExitInfo(cause: .killed, signal: 15, at: clock.wall, pid: p.pid)))
        core.drain()
        XCTAssertEqual(phase("a"), .down)
        XCTAssertEqual(core.daemons["a"]?.state.want, .down)
        XCTAssertTrue(scripts.questions.isEmpty, "the policy was asked about a daemon being stopped")
        XCTAssertEqual(processes.signals.map(\.signal), [.terminate])
        XCTAssertEqual(DaemonRecord.load(home, "a")?.wanted, .down, "wanted down on disk before the signal")
    }

    func testADeathRacingAStopIsNotRestartedByALateAnswer() {
        boot()
        let p = started("a")
        die("a", p)
        XCTAssertEqual(scripts.questions.count, 1)
        core.post("a", .stop)
        core.drain()
        core.decided("a", ticket: scripts.questions[0].ticket, RestartDecision(.restartNow, reason: "late", policy: "p"))
        core.drain()
        XCTAssertEqual(phase("a"), .down)
        XCTAssertEqual(processes.spawned.count, 1, "restarted after the user stopped it")
    }

    func testAScheduledRestartWaitsForItsDeadline() throws {
        boot()
        let p = started("a")
        die("a", p)
        core.decided("a", ticket: scripts.questions[0].ticket, RestartDecision(.restartAfter(seconds: 30), reason: "cooldown", policy: "p"))
        core.drain()
        guard case .waiting? = phase("a") else { return XCTFail("not waiting: \(String(describing: phase("a")))") }
        core.flush()
        let due = try XCTUnwrap(DaemonRecord.load(home, "a")?.nextAttemptAt)
        XCTAssertEqual(due, clock.wall + 30, accuracy: 0.001, "the wall-clock time status shows")
        XCTAssertEqual(core.nextDeadline()!, clock.monotonic + 30, accuracy: 0.001)
        clock.advance(29.9)
        core.fireDeadlines()
        XCTAssertEqual(processes.spawned.count, 1, "restarted before its time")
        clock.advance(0.2)
        core.fireDeadlines()
        XCTAssertEqual(processes.spawned.count, 2)
        guard case .running? = phase("a") else { return XCTFail("not running after the deadline") }
        XCTAssertEqual(core.daemons["a"]?.history.events.last?.manual, false, "an automatic restart, counted")
    }

    func testAMissedPolicyDeadlineLetsTheBuiltInPolicyDecideOnce() throws {
        boot()
        let p = started("a")
        die("a", p)
        let ticket = scripts.questions[0].ticket
        clock.advance(0.2)
        core.fireDeadlines()
        XCTAssertEqual(processes.spawned.count, 1, "decided before the deadline")
        clock.advance(0.1)
        core.fireDeadlines()
        XCTAssertEqual(processes.spawned.count, 2, "the built-in policy did not decide")
        XCTAssertTrue(core.daemons["a"]!.pendingLog.records.contains { $0.msg.contains("did not answer within 250 ms") })
        // policy-hits.log (and so `tend why`) says the fallback decided, for which policy, and why.
        let hit = try XCTUnwrap(core.daemons["a"]!.pendingLog.records.compactMap(PolicyHit.init(record:)).last)
        XCTAssertEqual([hit.decision.version.rawValue, hit.decision.policy], ["fallback", "restart"])
        XCTAssertTrue(hit.decision.problem?.contains("did not answer within 250 ms") ?? false, hit.decision.problem ?? "no problem")
        core.decided("a", ticket: ticket, RestartDecision(.restartNow, reason: "late", policy: "p"))
        core.drain()
        XCTAssertEqual(processes.spawned.count, 2, "the late answer started a second process")
    }

    func testAnUnavailablePolicyIsDecidedByTheBuiltInAtOnce() {
        boot()
        let p = started("a")
        die("a", p)
        core.policyUnavailable("a", ticket: scripts.questions[0].ticket, why: "the script worker died")
        core.drain()
        XCTAssertEqual(processes.spawned.count, 2)
    }

    func testRemovalFromTheConfigurationCancelsAScheduledRestart() {
        boot()
        let p = started("a")
        die("a", p)
        core.decided("a", ticket: scripts.questions[0].ticket, RestartDecision(.restartAfter(seconds: 10), reason: "cooldown", policy: "p"))
        core.drain()
        scripts.configuration = LoadedConfiguration(specs: [spec("b")])
        core.reload(reason: "test")
        core.drain()
        XCTAssertEqual(phase("a"), .down)
        clock.advance(60)
        core.fireDeadlines()
        XCTAssertEqual(processes.spawned.count, 1, "an undeclared daemon was restarted")
        XCTAssertEqual(core.declaredNames, ["b"])
    }

    func testAnUndeclaredDaemonThatRunsIsKeptAndNeverRestarted() {
        boot()
        let p = started("a")
        scripts.configuration = LoadedConfiguration(specs: [spec("b")])
        core.reload(reason: "test")
        core.drain()
        XCTAssertEqual(phase("a"), .running(p, readiness: .ready), "still supervised, so it can be stopped")
        die("a", p)
        XCTAssertEqual(phase("a"), .down)
        XCTAssertTrue(scripts.questions.isEmpty)
        XCTAssertEqual(processes.released, ["a"], "its FIFOs are let go once it no longer runs")
    }

    func testAFailedSpawnIsHeldWithTheReason() {
        boot()
        processes.failSpawns = true
        core.post("a", .start)
        core.drain()
        XCTAssertEqual(phase("a"), .held(reason: "cannot start: command not found: /bin/sleep"))
    }

    func testAStopThatTimesOutSendsKillOnce() {
        boot()
        _ = started("a")
        core.post("a", .stop)
        core.drain()
        clock.advance(5)
        core.fireDeadlines()
        clock.advance(60)
        core.fireDeadlines()
        XCTAssertEqual(processes.signals.map(\.signal), [.terminate, .kill])
    }

    /// Answers the check that is out for `name` (its PID).
    func answerCheck(_ name: String, _ state: HealthResult.State, _ reason: String, file: StaticString = #filePath, line: UInt = #line) {
        guard let request = scripts.checks.last(where: { $0.daemon == name }) else { return XCTFail("no check out", file: file, line: line) }
        core.checked(name, pid: request.pid, HealthResult(state, reason: reason, at: clock.wall))
        core.drain()
    }

    func testAFailedCheckStopsAReadyDaemonAndAsksThePolicy() throws {
        bootWithACheckEvery5s()
        let p = started("a")
        clock.advance(0.25)
        core.fireDeadlines()
        XCTAssertEqual(scripts.checks.map(\.pid), [p.pid], "the first check comes soon after the start")
        answerCheck("a", .healthy, "up")
        guard case .running(_, .ready)? = phase("a") else { return XCTFail("not ready after a pass") }
        clock.advance(5)
        core.fireDeadlines()
        XCTAssertEqual(scripts.checks.count, 2, "then one interval later")
        answerCheck("a", .unhealthy, "port closed")
        XCTAssertEqual(processes.signals.map(\.signal), [.terminate])
        die("a", p)
        XCTAssertEqual(scripts.questions.first?.context.exit.reason, "health check failed: port closed")
    }

    func testAFailingCheckBeforeTheFirstPassIsNotReadyYetThenAFailure() throws {
        bootWithACheckEvery5s()
        _ = started("a")
        var delays: [Double] = []
        var last = clock.monotonic
        for _ in 0..<5 {
            let due = try XCTUnwrap(core.daemons["a"]?.nextCheck)
            delays.append(due - last)
            clock.advance(due - clock.monotonic)
            last = clock.monotonic
            core.fireDeadlines()
            answerCheck("a", .unhealthy, "still starting")
        }
        XCTAssertEqual(delays, [0.25, 0.5, 1, 2, 4], "backing off toward the interval")
        XCTAssertTrue(processes.signals.isEmpty, "stopped before its ready_timeout")
        clock.advance(60)
        core.fireDeadlines()
        answerCheck("a", .unhealthy, "never came up")
        XCTAssertEqual(processes.signals.map(\.signal), [.terminate], "after ready_timeout a failure is a failure")
    }

    func testADependentStartsOnceWhatItNeedsIsReady() throws {
        var web = spec("web")
        web.after = ["db"]
        scripts.configuration = LoadedConfiguration(specs: [spec("db", health: .named("tcp_port", arguments: [:])), web],
                                                    checkTimings: ["db": CheckTimings(interval: 30, timeout: 1)])
        boot()
        core.post("web", .start)
        core.post("db", .start)
        core.drain()
        guard case .pending(_, _, _, let on)? = phase("web") else { return XCTFail("web did not wait: \(String(describing: phase("web")))") }
        XCTAssertEqual(on, ["db"])
        XCTAssertEqual(processes.spawned.map(\.name), ["db"], "web started before db was ready")
        clock.advance(0.25)
        core.fireDeadlines()
        answerCheck("db", .healthy, "accepts")
        XCTAssertEqual(processes.spawned.map(\.name), ["db", "web"])
        guard case .running? = phase("web") else { return XCTFail("web not running") }
    }

    func testADependentIsHeldWhenWhatItNeedsIsNotReadyInTime() throws {
        var web = spec("web")
        web.after = ["db"]
        web.readyTimeout = 10
        scripts.configuration = LoadedConfiguration(specs: [spec("db"), web])
        processes.failSpawns = true   // db cannot start
        boot()
        core.post("db", .start)
        core.post("web", .start)
        core.drain()
        clock.advance(10)
        core.fireDeadlines()
        XCTAssertEqual(phase("web"), .held(reason: "db not ready after 10s (ready_timeout)"))
    }

    func testACheckResultAboutAReplacedProcessIsIgnored() {
        bootWithACheckEvery5s()
        let first = started("a")
        clock.advance(0.25)
        core.fireDeadlines()
        die("a", first)
        core.decided("a", ticket: scripts.questions[0].ticket, RestartDecision(.restartNow, reason: "ok", policy: "p"))
        core.drain()
        core.checked("a", pid: first.pid, HealthResult(.unhealthy, reason: "stale news", at: clock.wall))
        core.drain()
        guard case .running? = phase("a") else { return XCTFail("the new process was stopped for the old one's check") }
    }
}
