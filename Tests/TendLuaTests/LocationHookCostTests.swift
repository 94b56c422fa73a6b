import XCTest
import TendCore
import TendSystem
@testable import TendLua

/// What the call + count hook that keeps "where Lua is" costs on a decision with the
/// shipped policy (printed for the README; the bound is loose for a loaded CI machine).
final class LocationHookCostTests: LuaTestCase {
    func testTheLocationHookCostsLittleOnADecision() throws {
        let host = try makeHost()
        let policy = try LuaRestartPolicy(host: host, report: reporter)
        let now = 1_800_000_000.0
        let history = (1...10).map { RestartEvent(time: now - Double($0 * 600), reason: "x", oldPID: 1, newPID: 2, success: true) }
        let c = RestartContext(daemon: DaemonSpec(name: "d", run: .command(["/bin/true"])),
                               exit: ExitInfo(cause: .killed, signal: 9, at: now, uptime: 100, pid: 9),
                               history: RestartHistory(events: history), now: now)
        func median(tracking: Bool) -> Double {
            host.vm.tracksLocation = tracking
            var times: [Double] = []
            for _ in 0..<40 {
                let t0 = Clock.monotonic()
                for _ in 0..<50 { _ = policy.decide(c, budget: nil) }
                times.append((Clock.monotonic() - t0) / 50)
            }
            return times.sorted()[times.count / 2] * 1e6
        }
        _ = median(tracking: true)   // warm up
        let off = median(tracking: false), on = median(tracking: true)
        print("decide with the shipped policy, 10 history events: \(String(format: "%.1f", off)) µs without the location hook, \(String(format: "%.1f", on)) µs with it")
        XCTAssertEqual(policy.decide(c, budget: nil).decision.version, .current)
        XCTAssertLessThan(on, off * 3 + 20, "the location hook costs too much")
    }
}
