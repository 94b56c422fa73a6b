import XCTest
@testable import TendCore

/// The state machine, cell by cell: no processes, no clocks.
final class SupervisionTests: XCTestCase {
    typealias P = Supervision.Phase
    let now = 1000.0
    let exit = ExitInfo(cause: .killed, signal: 9, at: 1000, uptime: 5, pid: 42)

    func step(_ phase: P, _ event: Supervision.Event) -> (P, [Supervision.Action]) {
        Supervision.transition(phase, event, stopTimeout: 10, now: now)
    }

    func testStartFromEveryIdlePhaseSpawnsManually() {
        for phase: P in [.stopped, .waiting(until: 2000, reason: "r", exit: "e"), .held(reason: "h")] {
            let (next, actions) = step(phase, .start)
            XCTAssertEqual(next, phase, "\(phase)")
            XCTAssertEqual(actions, [.setWanted(.up), .spawn(.manualStart, reason: "manual start")], "\(phase)")
        }
    }

    func testStartWhileRunningIsANoOp() {
        let (next, actions) = step(.running(pid: 7), .start)
        XCTAssertEqual(next, .running(pid: 7))
        XCTAssertFalse(actions.contains { if case .spawn = $0 { return true }; return false })
    }

    func testStopRecordsWantedDownBeforeSignalling() {
        let (next, actions) = step(.running(pid: 7), .stop)
        XCTAssertEqual(next, .stopping(pid: 7, killAt: now + 10, then: .stayDown))
        XCTAssertEqual(actions, [.setWanted(.down), .signalGroup(15)])
    }

    func testStopTimeoutSendsKillOnce() {
        let (next, actions) = step(.stopping(pid: 7, killAt: now - 1, then: .stayDown), .tick(now: now))
        XCTAssertEqual(actions.last, .signalGroup(9))
        XCTAssertEqual(Supervision.deadline(of: next), nil, "no second SIGKILL deadline")
        let (_, again) = step(next, .tick(now: now + 100))
        XCTAssertEqual(again, [])
    }

    func testDeathWhileStoppingStaysDownAndKillsLeftovers() {
        let (next, actions) = step(.stopping(pid: 7, killAt: now + 5, then: .stayDown), .exited(exit))
        XCTAssertEqual(next, .stopped)
        XCTAssertEqual(actions, [.recordExit(exit), .killLeftovers])
    }

    func testManualRestartStartsAgainAfterDeath() {
        let (stopping, _) = step(.running(pid: 7), .restart)
        let (next, actions) = step(stopping, .exited(exit))
        XCTAssertEqual(next, .stopped)
        XCTAssertEqual(actions.last, .spawn(.manualRestart, reason: "manual restart"))
    }

    func testUnexpectedDeathAsksThePolicy() {
        let (next, actions) = step(.running(pid: 7), .exited(exit))
        XCTAssertEqual(next, .deciding(exit))
        XCTAssertEqual(actions, [.recordExit(exit), .askPolicy(exit)])
    }

    func testDecisionsMapToPhases() {
        let deciding = P.deciding(exit)
        let now1 = step(deciding, .decided(RestartDecision(.restartNow, reason: "ok", policy: "p")))
        XCTAssertEqual(now1.1, [.spawn(.automatic, reason: "killed by SIGKILL")], "history records why it died")
        let later = step(deciding, .decided(RestartDecision(.restartAfter(seconds: 30), reason: "cooldown", policy: "p")))
        XCTAssertEqual(later.0, .waiting(until: now + 30, reason: "cooldown", exit: "killed by SIGKILL"))
        let down = step(deciding, .decided(RestartDecision(.stayDown, reason: "no", policy: "p")))
        XCTAssertEqual(down.0, .held(reason: "no"))
    }

    func testWaitingRestartsWhenDueAndNotBefore() {
        let waiting = P.waiting(until: now + 30, reason: "rate limit", exit: "exited with code 3")
        XCTAssertEqual(step(waiting, .tick(now: now + 29)).1, [])
        XCTAssertEqual(step(waiting, .tick(now: now + 30)).1, [.spawn(.automatic, reason: "exited with code 3")])
    }

    func testUserStopWinsOverAPendingDecision() {
        let (stopped, _) = step(.deciding(exit), .stop)
        XCTAssertEqual(stopped, .stopped)
        let (after, actions) = step(stopped, .decided(RestartDecision(.restartNow, reason: "x", policy: "p")))
        XCTAssertEqual(after, .stopped)
        XCTAssertEqual(actions, [])
    }

    func testHealthFailureStopsThenAsksPolicy() {
        let (stopping, actions) = step(.running(pid: 7), .healthFailed(reason: "port closed"))
        XCTAssertEqual(stopping, .stopping(pid: 7, killAt: now + 10, then: .askPolicy(.healthCheckFailed)))
        XCTAssertEqual(actions.last, .signalGroup(15))
        let (deciding, after) = step(stopping, .exited(exit))
        guard case .deciding(let asked) = deciding else { return XCTFail("\(deciding)") }
        XCTAssertEqual(asked.cause, .healthCheckFailed)
        XCTAssertEqual(after.last, .askPolicy(asked))
    }

    func testSpawnFailureHoldsWithReason() {
        let (next, _) = step(.stopped, .spawnFailed(reason: "command not found: /nope"))
        XCTAssertEqual(next, .held(reason: "cannot start: command not found: /nope"))
    }

    func testStartOrRestartWhileStoppingStartsAgainAfterTheDeath() {
        for event: Supervision.Event in [.start, .restart] {
            let (next, actions) = step(.stopping(pid: 7, killAt: now + 5, then: .stayDown), event)
            XCTAssertEqual(next, .stopping(pid: 7, killAt: now + 5, then: .manualRestart), "\(event)")
            XCTAssertEqual(actions, [.setWanted(.up)])
        }
    }

    func testStopWhileWaitingOrHeldOrDecidingCancelsTheRestart() {
        for phase: P in [.waiting(until: now + 9, reason: "r", exit: "e"), .held(reason: "h"), .deciding(exit)] {
            let (next, actions) = step(phase, .stop)
            XCTAssertEqual(next, .stopped, "\(phase)")
            XCTAssertEqual(actions, [.setWanted(.down)], "\(phase)")
        }
    }

    func testStartWhileDecidingSpawnsManually() {
        XCTAssertEqual(step(.deciding(exit), .start).1, [.setWanted(.up), .spawn(.manualStart, reason: "manual start")])
    }

    func testDeadlinesOfEachPhase() {
        XCTAssertEqual(Supervision.deadline(of: .waiting(until: 50, reason: "r", exit: "e")), 50)
        XCTAssertEqual(Supervision.deadline(of: .stopping(pid: 1, killAt: 60, then: .stayDown)), 60)
        XCTAssertNil(Supervision.deadline(of: .stopping(pid: 1, killAt: .infinity, then: .stayDown)))
        for phase: P in [.stopped, .running(pid: 1), .held(reason: "h"), .deciding(exit)] {
            XCTAssertNil(Supervision.deadline(of: phase), "\(phase)")
        }
    }

    func testEventsThatDoNotApplyChangeNothing() {
        XCTAssertEqual(step(.stopped, .exited(exit)).0, .stopped)
        XCTAssertEqual(step(.held(reason: "h"), .healthFailed(reason: "x")).0, .held(reason: "h"))
        XCTAssertEqual(step(.running(pid: 7), .tick(now: now)).1, [])
        XCTAssertEqual(step(.running(pid: 7), .decided(RestartDecision(.restartNow, reason: "x", policy: "p"))).0, .running(pid: 7))
    }
}
