import XCTest
import TendCore
import TendSystem
@testable import TendLua

/// What a decision costs inside the worker, split: decoding the request, the decision
/// (policy reload check + Lua), encoding the reply. Printed for the README; the bound
/// is loose for a loaded CI machine.
final class ScriptWorkerCostTests: LuaTestCase {
    func testTheCostOfADecisionInTheWorker() throws {
        let worker = try ScriptWorker(home: home, paths: paths)
        let now = 1_800_000_000.0
        let spec = DaemonSpec(name: "d", run: .command(["/bin/true"]))
        let exit = ExitInfo(cause: .killed, signal: 9, at: now, uptime: 100, pid: 4242)
        for count in [3, 100] {
            let history = (1...count).map { RestartEvent(time: now - Double($0 * 30), reason: "killed by SIGKILL", oldPID: 1, newPID: 2, success: true) }
            let line = String(decoding: ScriptWorkerCoding.line(ScriptWorkerRequest.decide(id: 1, daemon: spec, exit: exit, history: history, now: now)).dropLast(), as: UTF8.self)
            var decode: [Double] = [], lua: [Double] = [], encode: [Double] = [], total: [Double] = []
            for _ in 0..<100 {
                let t0 = Clock.monotonic()
                let request = try ScriptWorkerCoding.decode(ScriptWorkerRequest.self, from: line)
                let t1 = Clock.monotonic()
                guard case .decide(let id, let daemon, let exit, let history, let now) = request else { return XCTFail("not a decide") }
                let reply = worker.decide(id: id, RestartContext(daemon: daemon, exit: exit, history: RestartHistory(events: history), now: now))
                let t2 = Clock.monotonic()
                _ = ScriptWorkerCoding.line(reply)
                let t3 = Clock.monotonic()
                _ = worker.handle(line: line)
                let t4 = Clock.monotonic()
                decode.append(t1 - t0); lua.append(t2 - t1); encode.append(t3 - t2); total.append(t4 - t3)
            }
            func median(_ xs: [Double]) -> Int { Int(xs.sorted()[xs.count / 2] * 1e6) }
            print("worker decide, \(count) history events (\(line.utf8.count) bytes): decode \(median(decode)) µs, decide \(median(lua)) µs, encode \(median(encode)) µs; handle(line:) \(median(total)) µs")
            XCTAssertLessThan(median(total), 20_000)
        }
    }
}
