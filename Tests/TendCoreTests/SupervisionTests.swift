import XCTest
import TendSystem
@testable import TendCore

/// The state machine, cell by cell: one row per (phase, event), no processes, no clocks.
final class SupervisionTests: XCTestCase {
    typealias P = Supervision.Phase
    typealias E = Supervision.Event
    typealias A = Supervision.Action

    static let now = 1000.0
    static let pid = ProcessIdentity(pid: 7, startTime: 100)
    static let other = ProcessIdentity(pid: 8, startTime: 200)
    static let death = ExitInfo(cause: .killed, signal: 9, at: 1000, uptime: 5, pid: 7)
    static let sick = HealthResult(.unhealthy, reason: "port closed", at: 1000)
    static let daemonizedExit = ExitInfo(cause: .exited, code: 0, at: 1000, uptime: 0.1, pid: 7, leftovers: [other])
    static let daemonizedReason = "the program daemonized itself (pid 8 still running): run it in the foreground, or set forking = true"
    static let restartNow = RestartDecision(.restartNow, reason: "ok", policy: "p")
    let context = Supervision.Context(now: SupervisionTests.now, stopTimeout: 10, decideDeadline: 0.25)

    struct Row {
        let phase: P
        let event: E
        var want: WantedState = .up
        let expect: P
        let actions: [A]
        var wantAfter: WantedState?
        var declaredAfter: Bool?
        /// `Context.leftovers`: what the last run left running; `daemonized`: they are the program.
        var leftovers: [Int32] = []
        var daemonized = false
        var line: UInt
    }

    // The phases each row starts from. Deadlines are in the past so `tick` finds them due.
    static let down = P.down
    static let starting = P.starting(.automatic, reason: "killed by SIGKILL")
    static let running = P.running(pid, readiness: .ready)
    static let pending = P.pending(.manualStart, reason: "manual start", until: 999, on: ["db"])
    static let stopping = P.stopping(pid, killAt: 999, then: .stayDown)
    static let deciding = P.deciding(death, ticket: 1, deadline: 999)
    static let waiting = P.waiting(until: 999, reason: "cooldown", exit: death)
    static let held = P.held(reason: "h")

    static let events: [(String, E)] = [
        ("start", .start), ("stop", .stop), ("restart", .restart), ("discovered", .discovered(.alive(other, stopping: false))),
        ("exited", .exited(death)), ("daemonized", .daemonized(daemonizedExit)), ("handedOver", .handedOver(to: other, group: 8)),
        ("spawned", .spawned(other)), ("spawnFailed", .spawnFailed(reason: "missing")),
        ("decided", .decided(restartNow, ticket: 1)), ("policyUnavailable", .policyUnavailable(ticket: 1, why: "worker died")),
        ("health", .health(sick)), ("configured", .configured(declared: false)),
        ("blocked", .blocked(on: ["db"])), ("dependenciesReady", .dependenciesReady), ("tick", .tick),
    ]

    static func row(_ phase: P, _ event: E, want: WantedState = .up, _ expect: P, _ actions: [A],
                    wantAfter: WantedState? = nil, declaredAfter: Bool? = nil, leftovers: [Int32] = [],
                    daemonized: Bool = false, line: UInt = #line) -> Row {
        Row(phase: phase, event: event, want: want, expect: expect, actions: actions, wantAfter: wantAfter,
            declaredAfter: declaredAfter, leftovers: leftovers, daemonized: daemonized, line: line)
    }

    static let manualStart = P.starting(.manualStart, reason: "manual start")
    static let manualRestart = P.starting(.manualRestart, reason: "manual restart")
    static let spawnStart = A.spawn(.manualStart, reason: "manual start")
    static let spawnRestart = A.spawn(.manualRestart, reason: "manual restart")

    /// Every cell of the table: phase × event.
    static let cells: [Row] = [
        // down
        row(down, .start, manualStart, [spawnStart]),
        row(down, .stop, down, [.saveNow, .endLeftovers(killAt: 1010)], wantAfter: .down),
        row(down, .restart, manualRestart, [spawnRestart]),
        row(down, .discovered(.alive(other, stopping: false)), .running(other, readiness: .ready), [.watch(other), .note("adopted pid 8 (identity verified)")]),
        row(down, .exited(death), down, []),
        row(down, .daemonized(daemonizedExit), down, []),
        row(down, .handedOver(to: other, group: 8), down, []),
        row(down, .spawned(other), .running(other, readiness: .ready), [.recordStart(other, .manualStart, reason: "started")]),
        row(down, .spawnFailed(reason: "missing"), down, []),
        row(down, .decided(restartNow, ticket: 1), down, []),
        row(down, .policyUnavailable(ticket: 1, why: "worker died"), down, []),
        row(down, .health(sick), down, []),
        row(down, .configured(declared: false), down, [], declaredAfter: false),
        row(down, .blocked(on: ["db"]), down, []),
        row(down, .dependenciesReady, down, []),
        row(down, .tick, down, []),
        // starting
        row(starting, .start, starting, []),
        row(starting, .stop, starting, [.saveNow], wantAfter: .down),
        row(starting, .restart, starting, []),
        row(starting, .discovered(.alive(other, stopping: false)), starting, []),
        row(starting, .exited(death), starting, []),
        row(starting, .daemonized(daemonizedExit), starting, []),
        row(starting, .handedOver(to: other, group: 8), starting, []),
        row(starting, .spawned(other), .running(other, readiness: .ready), [.recordStart(other, .automatic, reason: "killed by SIGKILL")]),
        row(starting, .spawnFailed(reason: "missing"), .held(reason: "cannot start: missing"), [.recordStartFailure(.automatic, reason: "missing")]),
        row(starting, .decided(restartNow, ticket: 1), starting, []),
        row(starting, .policyUnavailable(ticket: 1, why: "worker died"), starting, []),
        row(starting, .health(sick), starting, []),
        row(starting, .configured(declared: false), starting, [], declaredAfter: false),
        row(starting, .blocked(on: ["db"]), .pending(.automatic, reason: "killed by SIGKILL", until: 1060, on: ["db"]),
            [.note("waiting for db to be ready before starting")]),
        row(starting, .dependenciesReady, starting, []),
        row(starting, .tick, starting, []),
        // pending
        row(pending, .start, pending, []),
        row(pending, .stop, down, [.saveNow, .endLeftovers(killAt: 1010)], wantAfter: .down),
        row(pending, .restart, pending, []),
        row(pending, .discovered(.alive(other, stopping: false)), pending, []),
        row(pending, .exited(death), pending, []),
        row(pending, .daemonized(daemonizedExit), pending, []),
        row(pending, .handedOver(to: other, group: 8), pending, []),
        row(pending, .spawned(other), pending, []),
        row(pending, .spawnFailed(reason: "missing"), pending, []),
        row(pending, .decided(restartNow, ticket: 1), pending, []),
        row(pending, .policyUnavailable(ticket: 1, why: "worker died"), pending, []),
        row(pending, .health(sick), pending, []),
        row(pending, .configured(declared: false), down, [.note("not started: no longer in daemons.lua")], declaredAfter: false),
        row(pending, .blocked(on: ["db"]), pending, []),
        row(pending, .dependenciesReady, manualStart, [spawnStart]),
        row(pending, .tick, .held(reason: "db not ready after 1m00s (ready_timeout)"), [.note("not started: db not ready in time")]),
        // running
        row(running, .start, running, []),
        row(running, .stop, .stopping(pid, killAt: 1010, then: .stayDown), [.saveNow, .signal(.terminate)], wantAfter: .down),
        row(running, .restart, .stopping(pid, killAt: 1010, then: .restart), [.saveNow, .signal(.terminate)]),
        row(running, .discovered(.alive(other, stopping: false)), running, []),
        row(running, .exited(death), .deciding(death, ticket: 2, deadline: 1000.25), [.recordExit(death), .askPolicy(death, ticket: 2)]),
        row(running, .daemonized(daemonizedExit), .held(reason: daemonizedReason),
            [.recordExit(daemonizedExit, explained: daemonizedReason)]),
        row(running, .handedOver(to: other, group: 8), .running(other, readiness: .ready), [.recordHandover(from: 7, to: other, group: 8)]),
        row(running, .spawned(other), running, []),
        row(running, .spawnFailed(reason: "missing"), running, []),
        row(running, .decided(restartNow, ticket: 1), running, []),
        row(running, .policyUnavailable(ticket: 1, why: "worker died"), running, []),
        row(running, .health(sick), .stopping(pid, killAt: 1010, then: .askPolicy(.healthCheckFailed, reason: "port closed")),
            [.recordHealth(sick), .note("health check failed: port closed; stopping it"), .saveNow, .signal(.terminate)]),
        row(running, .configured(declared: false), running, [], declaredAfter: false),
        row(running, .blocked(on: ["db"]), running, []),
        row(running, .dependenciesReady, running, []),
        row(running, .tick, running, []),
        // stopping
        row(stopping, .start, .stopping(pid, killAt: 999, then: .restart), [.saveNow]),
        row(stopping, .stop, stopping, [.saveNow], wantAfter: .down),
        row(stopping, .restart, .stopping(pid, killAt: 999, then: .restart), [.saveNow]),
        row(stopping, .discovered(.alive(other, stopping: false)), stopping, []),
        row(stopping, .exited(death), down, [.recordExit(death), .endLeftovers(killAt: 999)]),
        row(stopping, .daemonized(daemonizedExit), down, [.recordExit(daemonizedExit), .endLeftovers(killAt: 999)]),
        row(stopping, .handedOver(to: other, group: 8), .stopping(other, killAt: 999, then: .stayDown),
            [.recordHandover(from: 7, to: other, group: 8), .signal(.terminate)]),
        row(stopping, .spawned(other), stopping, []),
        row(stopping, .spawnFailed(reason: "missing"), stopping, []),
        row(stopping, .decided(restartNow, ticket: 1), stopping, []),
        row(stopping, .policyUnavailable(ticket: 1, why: "worker died"), stopping, []),
        row(stopping, .health(sick), stopping, []),
        row(stopping, .configured(declared: false), stopping, [], declaredAfter: false),
        row(stopping, .blocked(on: ["db"]), stopping, []),
        row(stopping, .dependenciesReady, stopping, []),
        row(stopping, .tick, .stopping(pid, killAt: .infinity, then: .stayDown), [.note("stop timeout (10s): sending SIGKILL"), .signal(.kill)]),
        // deciding
        row(deciding, .start, manualStart, [spawnStart]),
        row(deciding, .stop, down, [.saveNow, .endLeftovers(killAt: 1010)], wantAfter: .down),
        row(deciding, .restart, manualRestart, [spawnRestart]),
        row(deciding, .discovered(.alive(other, stopping: false)), deciding, []),
        row(deciding, .exited(death), deciding, []),
        row(deciding, .daemonized(daemonizedExit), deciding, []),
        row(deciding, .handedOver(to: other, group: 8), deciding, []),
        row(deciding, .spawned(other), deciding, []),
        row(deciding, .spawnFailed(reason: "missing"), deciding, []),
        row(deciding, .decided(restartNow, ticket: 1), starting, [.spawn(.automatic, reason: "killed by SIGKILL")]),
        row(deciding, .policyUnavailable(ticket: 1, why: "worker died"), .deciding(death, ticket: 1, deadline: .infinity),
            [.decideByFallback(death, ticket: 1, why: "worker died")]),
        row(deciding, .health(sick), deciding, []),
        row(deciding, .configured(declared: false), down, [.note("not restarted: no longer in daemons.lua")], declaredAfter: false),
        row(deciding, .blocked(on: ["db"]), deciding, []),
        row(deciding, .dependenciesReady, deciding, []),
        row(deciding, .tick, .deciding(death, ticket: 1, deadline: .infinity),
            [.decideByFallback(death, ticket: 1, why: "the policy did not answer within 250 ms")]),
        // waiting
        row(waiting, .start, manualStart, [spawnStart]),
        row(waiting, .stop, down, [.saveNow, .endLeftovers(killAt: 1010)], wantAfter: .down),
        row(waiting, .restart, manualRestart, [spawnRestart]),
        row(waiting, .discovered(.alive(other, stopping: false)), waiting, []),
        row(waiting, .exited(death), waiting, []),
        row(waiting, .daemonized(daemonizedExit), waiting, []),
        row(waiting, .handedOver(to: other, group: 8), waiting, []),
        row(waiting, .spawned(other), waiting, []),
        row(waiting, .spawnFailed(reason: "missing"), waiting, []),
        row(waiting, .decided(restartNow, ticket: 1), waiting, []),
        row(waiting, .policyUnavailable(ticket: 1, why: "worker died"), waiting, []),
        row(waiting, .health(sick), waiting, []),
        row(waiting, .configured(declared: false), down, [.note("scheduled restart cancelled: no longer in daemons.lua")], declaredAfter: false),
        row(waiting, .blocked(on: ["db"]), waiting, []),
        row(waiting, .dependenciesReady, waiting, []),
        row(waiting, .tick, starting, [.spawn(.automatic, reason: "killed by SIGKILL")]),
        // held
        row(held, .start, manualStart, [spawnStart]),
        row(held, .stop, down, [.saveNow, .endLeftovers(killAt: 1010)], wantAfter: .down),
        row(held, .restart, manualRestart, [spawnRestart]),
        row(held, .discovered(.alive(other, stopping: false)), held, []),
        row(held, .exited(death), held, []),
        row(held, .daemonized(daemonizedExit), held, []),
        row(held, .handedOver(to: other, group: 8), held, []),
        row(held, .spawned(other), held, []),
        row(held, .spawnFailed(reason: "missing"), held, []),
        row(held, .decided(restartNow, ticket: 1), held, []),
        row(held, .policyUnavailable(ticket: 1, why: "worker died"), held, []),
        row(held, .health(sick), held, []),
        row(held, .configured(declared: false), down, [], declaredAfter: false),
        row(held, .blocked(on: ["db"]), held, []),
        row(held, .dependenciesReady, held, []),
        row(held, .tick, held, []),
    ]

    /// Cells whose outcome depends on the event's detail or on want/declared: a row each.
    static let variants: [Row] = [
        // Discovery at the monitor's start
        row(down, .discovered(.alive(other, stopping: true)), .stopping(other, killAt: 1010, then: .restart),
            [.watch(other), .note("adopted pid 8 (identity verified); its stop goes on")]),
        row(down, .discovered(.alive(other, stopping: true)), want: .down, .stopping(other, killAt: 1010, then: .stayDown),
            [.watch(other), .note("adopted pid 8 (identity verified); its stop goes on")]),
        row(down, .discovered(.lost(death)), .deciding(death, ticket: 2, deadline: 1000.25), [.recordExit(death), .askPolicy(death, ticket: 2)]),
        row(down, .discovered(.lost(death)), want: .down, down, [.recordExit(death)]),
        row(down, .discovered(.waiting(until: 1500, reason: "rate limit", exit: death)), .waiting(until: 1500, reason: "rate limit", exit: death), []),
        row(down, .discovered(.waiting(until: 1500, reason: "rate limit", exit: death)), want: .down, down, []),
        row(down, .discovered(.held(reason: "stay down")), .held(reason: "stay down"), []),
        row(down, .discovered(.nothing), down, []),
        // A spawned process nobody wants any more is stopped at once
        row(down, .spawned(other), want: .down, .stopping(other, killAt: 1010, then: .stayDown),
            [.recordStart(other, .manualStart, reason: "started"), .saveNow, .signal(.terminate)]),
        row(starting, .spawned(other), want: .down, .stopping(other, killAt: 1010, then: .stayDown),
            [.recordStart(other, .automatic, reason: "killed by SIGKILL"), .saveNow, .signal(.terminate)]),
        // A program that daemonized itself, wanted down: nothing to hold
        row(running, .daemonized(daemonizedExit), want: .down, down, [.recordExit(daemonizedExit)]),
        // Readiness: a check's first pass makes it ready; a failure before it (within
        // ready_timeout) is "not ready yet", after it a failure
        row(.running(pid, readiness: .notReady(until: 1060)), .health(HealthResult(.healthy, reason: "up", at: 1000)), running,
            [.recordHealth(HealthResult(.healthy, reason: "up", at: 1000))]),
        row(.running(pid, readiness: .notReady(until: 1060)), .health(sick), .running(pid, readiness: .notReady(until: 1060)),
            [.recordHealth(sick)]),
        row(.running(pid, readiness: .notReady(until: 999)), .health(sick),
            .stopping(pid, killAt: 1010, then: .askPolicy(.healthCheckFailed, reason: "port closed")),
            [.recordHealth(sick), .note("health check failed: port closed; stopping it"), .saveNow, .signal(.terminate)]),
        row(.pending(.manualStart, reason: "manual start", until: 1060, on: ["db"]), .tick,
            .pending(.manualStart, reason: "manual start", until: 1060, on: ["db"]), []),
        row(starting, .blocked(on: ["db"]), want: .down, down, []),
        // A death of a daemon wanted down is not a question for the policy
        row(running, .exited(death), want: .down, down, [.recordExit(death)]),
        row(running, .health(sick), want: .down, running, [.recordHealth(sick)]),
        row(running, .health(HealthResult(.unknown, reason: "raised", at: 1000)), running,
            [.recordHealth(HealthResult(.unknown, reason: "raised", at: 1000))]),
        // After a stop
        row(.stopping(pid, killAt: 1005, then: .stayDown), .exited(death), down, [.recordExit(death), .endLeftovers(killAt: 1005)]),
        row(.stopping(pid, killAt: 1005, then: .restart), .exited(death), manualRestart, [.recordExit(death), .endLeftovers(killAt: 1000), spawnRestart]),
        row(.stopping(pid, killAt: 1005, then: .askPolicy(.healthCheckFailed, reason: "port closed")), .exited(death),
            .deciding(ExitInfo(cause: .healthCheckFailed, signal: 9, at: 1000, uptime: 5, pid: 7, detail: "port closed"), ticket: 2, deadline: 1000.25),
            [.recordExit(ExitInfo(cause: .healthCheckFailed, signal: 9, at: 1000, uptime: 5, pid: 7, detail: "port closed")), .endLeftovers(killAt: 1000),
             .askPolicy(ExitInfo(cause: .healthCheckFailed, signal: 9, at: 1000, uptime: 5, pid: 7, detail: "port closed"), ticket: 2)]),
        row(.stopping(pid, killAt: 1005, then: .stayDown), .tick, .stopping(pid, killAt: 1005, then: .stayDown), []),
        // Policy answers
        row(deciding, .decided(RestartDecision(.restartAfter(seconds: 30), reason: "cooldown", policy: "p"), ticket: 1),
            .waiting(until: 1030, reason: "cooldown", exit: death), []),
        row(deciding, .decided(RestartDecision(.stayDown, reason: "clean exit", policy: "p"), ticket: 1), .held(reason: "clean exit"), []),
        row(deciding, .decided(restartNow, ticket: 0), deciding, []),
        row(deciding, .policyUnavailable(ticket: 0, why: "old"), deciding, []),
        row(.deciding(death, ticket: 1, deadline: 1001), .tick, .deciding(death, ticket: 1, deadline: 1001), []),
        row(.waiting(until: 1001, reason: "r", exit: death), .tick, .waiting(until: 1001, reason: "r", exit: death), []),
        // A start beside a copy of the program that daemonized itself would run a second
        // copy: held instead (keeping the reason, which names the fix)
        row(.held(reason: daemonizedReason), .start, .held(reason: daemonizedReason),
            [.note("not started: pid 8 of its last run still running")], leftovers: [8], daemonized: true),
        row(.held(reason: daemonizedReason), .restart, .held(reason: daemonizedReason),
            [.note("not started: pid 8 of its last run still running")], leftovers: [8], daemonized: true),
        row(down, .start, want: .down, .held(reason: besideLeftovers), [.note("not started: pid 8, 9 of its last run still running")],
            wantAfter: .up, leftovers: [8, 9], daemonized: true),
        // What outlived a crash goes first, then the start
        row(waiting, .restart, manualRestart, [.endLeftovers(killAt: 1000), .spawn(.manualRestart, reason: "manual restart")], leftovers: [8]),
        row(deciding, .start, manualStart, [.endLeftovers(killAt: 1000), spawnStart], leftovers: [8]),
        row(held, .start, manualStart, [.endLeftovers(killAt: 1000), spawnStart], leftovers: [8]),
    ]
    static let besideLeftovers = "its last run left pid 8, 9 running: a start would run a second copy (`tend stop` ends them)"

    func check(_ row: Row, declared: Bool = true) {
        let state = Supervision.State(phase: row.phase, want: row.want, declared: declared, questions: 1)
        var context = context
        context.leftovers = row.leftovers
        context.leftoversAreTheProgram = row.daemonized
        let (next, actions) = Supervision.transition(state, row.event, context)
        XCTAssertEqual(next.phase, row.expect, "phase", line: row.line)
        XCTAssertEqual(actions, row.actions, "actions", line: row.line)
        XCTAssertEqual(next.want, row.wantAfter ?? row.want, "want", line: row.line)
        XCTAssertEqual(next.declared, row.declaredAfter ?? declared, "declared", line: row.line)
    }

    func testEveryCell() {
        for row in Self.cells { check(row) }
    }

    func testVariants() {
        for row in Self.variants { check(row) }
    }

    /// The table has exactly one row per (phase, event): nothing is left out or doubled.
    func testTableCoversEveryCellOnce() {
        let phases = [Self.down, Self.starting, Self.pending, Self.running, Self.stopping, Self.deciding, Self.waiting, Self.held]
        XCTAssertEqual(Self.cells.count, phases.count * Self.events.count)
        for phase in phases {
            for (name, event) in Self.events {
                XCTAssertEqual(Self.cells.filter { $0.phase == phase && $0.event == event }.count, 1, "\(phase) × \(name)")
            }
        }
    }

    func testUndeclaredDaemonsAreNeverStartedOrRestartedBack() {
        for phase in [Self.down, Self.held, Self.waiting] {
            let state = Supervision.State(phase: phase, want: .down, declared: false)
            let (next, actions) = Supervision.transition(state, .start, context)
            XCTAssertEqual(next.phase, phase)
            XCTAssertEqual(actions, [.note("not started: no longer in daemons.lua")])
        }
        let stopping = Supervision.State(phase: .stopping(Self.pid, killAt: 1005, then: .restart), want: .up, declared: false)
        XCTAssertEqual(Supervision.transition(stopping, .exited(Self.death), context).0.phase, .down)
        let running = Supervision.State(phase: Self.running, want: .up, declared: false)
        XCTAssertEqual(Supervision.transition(running, .exited(Self.death), context).0.phase, .down, "never restarted")
    }

    func testDeadlines() {
        XCTAssertEqual(Supervision.deadline(of: Self.waiting), 999)
        XCTAssertEqual(Supervision.deadline(of: Self.stopping), 999)
        XCTAssertEqual(Supervision.deadline(of: Self.deciding), 999)
        XCTAssertNil(Supervision.deadline(of: .stopping(Self.pid, killAt: .infinity, then: .stayDown)), "no second SIGKILL")
        XCTAssertNil(Supervision.deadline(of: .deciding(Self.death, ticket: 1, deadline: .infinity)))
        XCTAssertEqual(Supervision.deadline(of: Self.pending), 999)
        for phase in [Self.down, Self.starting, Self.running, Self.held] { XCTAssertNil(Supervision.deadline(of: phase)) }
    }
}
