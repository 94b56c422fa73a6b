import XCTest
import TendCore
import TendSystem
@testable import TendLua

/// The built-in policy is the shipped policies/restart.lua, compiled in, in a state of its own.
final class BuiltinPolicyTests: LuaTestCase {
    let now = 1_800_000_000.0

    func context(limits: RestartLimits = .seed, uptime: Double? = 5, history: [RestartEvent] = []) -> RestartContext {
        RestartContext(daemon: DaemonSpec(name: "d", run: .command(["/bin/true"]), restart: limits),
                       exit: ExitInfo(cause: .exited, code: 1, at: now, uptime: uptime, pid: 100),
                       history: RestartHistory(events: history), now: now)
    }

    func restart(ago: Double, manual: Bool = false) -> RestartEvent {
        RestartEvent(time: now - ago, reason: "exited with code 1", oldPID: 1, newPID: 2, success: true, manual: manual)
    }

    func testItIsTheShippedFileByteForByte() throws {
        let shipped = try FileSystem.readBytes("\(Self.repoRoot)/policies/restart.lua")
        XCTAssertEqual(Array(EmbeddedLua.restartPolicy.bytes), shipped)
    }

    func testEveryEmbeddedFileIsThere() {
        for file in EmbeddedLua.allCases { XCTAssertGreaterThan(file.bytes.count, 100, file.rawValue) }
    }

    func testTheSeedsRules() throws {
        let policy = try BuiltinPolicy()
        let fresh = policy.decide(context())
        XCTAssertEqual(fresh.action, .restartNow)
        XCTAssertEqual(fresh.policy, "built-in")
        XCTAssertEqual(fresh.reason, "exited with code 1; 1 of 3 restarts used this hour")
        XCTAssertEqual(policy.decide(context(uptime: 20, history: [restart(ago: 20)])).action, .restartAfter(seconds: 40))
        let limited = policy.decide(context(uptime: 100, history: [restart(ago: 3000), restart(ago: 2000), restart(ago: 1000)]))
        XCTAssertEqual(limited.action, .restartAfter(seconds: 600))
        XCTAssertEqual(limited.reason, "rate limit: 3 restarts in the last hour (max 3)")
        let manual = [restart(ago: 3000, manual: true), restart(ago: 2000, manual: true), restart(ago: 1000, manual: true)]
        XCTAssertEqual(policy.decide(context(uptime: 30, history: manual)).action, .restartNow)
        XCTAssertEqual(policy.decide(context(limits: RestartLimits(maxPerHour: 0, cooldown: 60))).action, .stayDown)
    }

    /// It decides as the shipped file does through a user's host (the same file, so any
    /// difference would come from what its state gives it).
    func testItDecidesAsTheShippedFileDoesInAHost() throws {
        let builtin = try BuiltinPolicy()
        let hosted = try LuaRestartPolicy(host: try makeHost(), report: reporter)
        let cases = [
            context(), context(uptime: 20, history: [restart(ago: 20)]),
            context(uptime: 100, history: [restart(ago: 3000), restart(ago: 2000), restart(ago: 1000)]),
            context(limits: RestartLimits(maxPerHour: 1_000_000, cooldown: 0), uptime: 0.01, history: (1...50).map { restart(ago: Double($0)) }),
            context(limits: RestartLimits(maxPerHour: 0, cooldown: 60)),
        ]
        for c in cases {
            let (a, b) = (builtin.decide(c), hosted.decide(c))
            XCTAssertEqual(a.action, b.action)
            XCTAssertEqual(a.reason, b.reason)
        }
    }

    /// Only what the policy needs: no tend module, no io, os, package, debug or require.
    func testItsStateHoldsNoHostFunctionsAndNoSystemLibraries() throws {
        let policy = try BuiltinPolicy()
        let chunk = try policy.vm.compile(source: """
            return tostring(tend) .. tostring(io) .. tostring(os) .. tostring(package) .. tostring(debug)
              .. tostring(require) .. tostring(dofile) .. tostring(loadfile)
            """, chunkname: "=probe")
        let text = try policy.vm.callTrusted(results: 1) { s in s.push(chunk); return 0 }.map { ref -> String? in
            policy.vm.stack.push(ref)
            defer { policy.vm.stack.pop() }
            return policy.vm.stack.string(at: -1)
        }.first ?? nil
        XCTAssertEqual(text, String(repeating: "nil", count: 8))
    }

    /// Cheap to create and to call: the monitor uses it when a worker is late. The bounds
    /// are loose (a loaded CI machine); the figures are printed for the README.
    func testCreationAndDecisionCost() throws {
        var created = [Double]()
        for _ in 0..<50 {
            let t0 = Clock.monotonic()
            _ = try BuiltinPolicy()
            created.append(Clock.monotonic() - t0)
        }
        let policy = try BuiltinPolicy()
        var figures = ["create \(Int(Self.median(created) * 1e6)) µs"]
        for count in [3, 100] {
            let c = context(limits: RestartLimits(maxPerHour: 1000, cooldown: 0), history: (1...count).map { restart(ago: Double($0 * 30)) })
            var decided = [Double]()
            for _ in 0..<50 {
                let t0 = Clock.monotonic()
                for _ in 0..<20 { _ = policy.decide(c) }
                decided.append((Clock.monotonic() - t0) / 20)
            }
            XCTAssertEqual(policy.decide(c).action, .restartNow)
            figures.append("decide with \(count) history events \(Int(Self.median(decided) * 1e6)) µs")
            XCTAssertLessThan(Self.median(decided), 0.002)
        }
        print("BuiltinPolicy: " + figures.joined(separator: ", ") + " (medians)")
        XCTAssertLessThan(Self.median(created), 0.005)
    }

    static func median(_ xs: [Double]) -> Double { xs.sorted()[xs.count / 2] }
}
