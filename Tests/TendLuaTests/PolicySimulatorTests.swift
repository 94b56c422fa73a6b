import XCTest
import TendCore
import TendSystem
@testable import TendLua

/// The simulator drives the monitor's `LuaRestartPolicy.decide` on a simulated clock,
/// with the history the monitor would have, in a Lua state that changes nothing.
final class PolicySimulatorTests: LuaTestCase {
    let start = 1_800_000_000.0

    func simulator(_ spec: DaemonSpec = DaemonSpec(name: "web", run: .command(["/bin/true"])), file: String? = nil) throws -> PolicySimulator {
        try PolicySimulator(daemon: spec, home: home, paths: paths, file: file)
    }

    func deaths(_ uptimes: [Double]) -> [SimulatedDeath] {
        uptimes.map { SimulatedDeath(uptime: $0, cause: .exited, code: 1) }
    }

    func testTheShippedPolicyOnTheIssuesDeaths() throws {
        let r = try simulator().run(deaths([3600, 10, 100, 100]), start: start)
        XCTAssertEqual(r.steps.map(\.decision.action), [.restartNow, .restartAfter(seconds: 50), .restartNow, .restartAfter(seconds: 3340)])
        XCTAssertEqual(r.steps.map(\.at), [3600, 3610, 3760, 3860])
        XCTAssertEqual(r.steps.map(\.exit.at), [3600, 3610, 3760, 3860].map { start + $0 }, "the policy's `now` is the death's time")
        XCTAssertEqual(r.problems, [])
        XCTAssertEqual(r.notReplayed, 0)
    }

    /// The policy sees the history the monitor would have: one automatic restart per
    /// restart decision, at the time it happens (a wait's restart after the wait).
    func testHistoryHoldsTheRestartsTheDecisionsLedTo() throws {
        try writeConfig("policies/probe.lua", """
            return { decide = function(d, exit, history, now)
              local times = {}
              for _, e in ipairs(history) do times[#times + 1] = string.format("%d", e.time - \(Int(start))) end
              if #history == 0 then return { action = "wait", delay = 30, reason = "" } end
              return { action = "restart", reason = table.concat(times, ",") .. "|" .. #history:since(now - 100) }
            end }
            """)
        let spec = DaemonSpec(name: "web", run: .command(["/bin/true"]), policy: "probe")
        let r = try simulator(spec).run(deaths([10, 20, 200]), start: start)
        XCTAssertEqual(r.steps.map(\.decision.reason), ["", "40|1", "40,60|0"])
        XCTAssertEqual(r.steps.map(\.at), [10, 60, 260])
    }

    func testAFileStandsInForTheDaemonsPolicy() throws {
        let file = try writeConfig("elsewhere/try.lua", "return { decide = function() return { action = 'stay_down', reason = 'edited' } end }\n")
        let sim = try simulator(file: file)
        XCTAssertEqual(sim.policyFile, file)
        let r = sim.run(deaths([1, 2, 3]), start: start)
        XCTAssertEqual(r.steps.map(\.decision.reason), ["edited"])
        XCTAssertEqual(r.steps.first?.decision.policy, file)
        XCTAssertEqual(r.notReplayed, 2)
    }

    func testABrokenPolicyIsReportedAndTheFallbackDecides() throws {
        let file = try writeConfig("broken.lua", "return { decide = function(\n")
        let r = try simulator(file: file).run(deaths([3600, 10]), start: start)
        XCTAssertEqual(r.steps.map(\.decision.version), [.fallback, .fallback])
        XCTAssertEqual(r.steps.map(\.decision.action), [.restartNow, .restartAfter(seconds: 50)])
        XCTAssertEqual(r.problems.count, 1)
        XCTAssertTrue(r.problems[0].hasPrefix("\(file):2:"), r.problems[0])
    }

    // MARK: The dry run

    func testEveryRefusedFunctionIsRegistered() {
        let registered = Set(TendAPI.functions.map(\.qualifiedName))
        XCTAssertEqual(DryRun.refused.subtracting(registered), [])
    }

    func testADryRunCapturesLogsAndRefusesWrites() throws {
        let capture = LogCapture()
        let dry = try LuaHost(home: home, paths: paths, logName: "tend", dryRun: capture)
        let target = "\(root)/written"
        let r = try eval(dry, """
            local ok, why = tend.fs.write("\(target)", "x")
            local logged = tend.log.health_event("gave_up", "web: gave up", "error")
            local sent, why2 = tend.process.signal(1, 1, "TERM")
            return { ok = ok == nil, why = why, logged = logged, sent = sent == nil, why2 = why2 }
            """)
        XCTAssertEqual(r["ok"], .bool(true))
        XCTAssertEqual(r["why"], .string("tend.fs.write: not done in a dry run (tend policy simulate changes nothing)"))
        XCTAssertEqual(r["logged"], .bool(true))
        XCTAssertEqual(r["sent"], .bool(true))
        XCTAssertFalse(FileSystem.exists(target))
        XCTAssertFalse(FileSystem.exists(home.healthLog))
        let records = capture.drain()
        XCTAssertEqual(records.map(\.msg), ["web: gave up"])
        XCTAssertEqual(records.first.map(DaemonLogger.destinations), [.daemon, .health])

        // The same calls in an ordinary state do what they say.
        let real = try makeHost()
        _ = try eval(real, "return tend.fs.write('\(target)', 'x')")
        XCTAssertTrue(FileSystem.exists(target))
    }
}
