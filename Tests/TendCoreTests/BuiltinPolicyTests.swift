import XCTest
@testable import TendCore

final class BuiltinPolicyTests: XCTestCase {
    let spec = DaemonSpec(name: "d", run: .command(["/bin/true"]), restart: RestartLimits(maxPerHour: 3, cooldown: 60))

    func decide(_ events: [RestartEvent], now: Double, uptime: Double = 1) -> RestartDecision {
        BuiltinRestartPolicy().decide(RestartContext(
            daemon: spec, exit: ExitInfo(cause: .exited, code: 1, at: now, uptime: uptime),
            history: RestartHistory(events: events), now: now))
    }

    func event(_ t: Double, manual: Bool = false) -> RestartEvent {
        RestartEvent(time: t, reason: "x", oldPID: 1, newPID: 2, success: true, manual: manual)
    }

    func testFirstRestartIsImmediate() {
        XCTAssertEqual(decide([], now: 10_000).action, .restartNow)
    }

    func testCooldownBetweenAttempts() {
        XCTAssertEqual(decide([event(9_980)], now: 10_000).action, .restartAfter(seconds: 40))
    }

    func testRateLimitWaitsForTheWindow() {
        let d = decide([event(7_000), event(8_000), event(9_000)], now: 10_000)
        XCTAssertEqual(d.action, .restartAfter(seconds: 600))   // 7000 + 3600 - 10000
        XCTAssertTrue(d.reason.contains("rate limit"), d.reason)
    }

    func testManualRestartsDoNotCount() {
        let d = decide([event(7_000, manual: true), event(8_000, manual: true), event(9_000, manual: true), event(9_990, manual: true)], now: 10_000)
        XCTAssertEqual(d.action, .restartNow)
    }

    func testHistoryKeepsNewest100() {
        var h = RestartHistory()
        for i in 0..<150 { h.append(event(Double(i))) }
        XCTAssertEqual(h.events.count, 100)
        XCTAssertEqual(h.events.first?.time, 50)
    }
}
