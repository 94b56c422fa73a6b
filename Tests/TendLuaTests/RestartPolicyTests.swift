import XCTest
import TendCore
import TendSystem
@testable import TendLua

final class RestartPolicyTests: LuaTestCase {
    let now = 1_800_000_000.0

    func context(limits: RestartLimits = .seed, uptime: Double? = 5, history: [RestartEvent] = [],
                 policy: String = "restart") -> RestartContext {
        let spec = DaemonSpec(name: "d", run: .command(["/bin/true"]), restart: limits, policy: policy)
        let exit = ExitInfo(cause: .exited, code: 1, at: now, uptime: uptime, pid: 100)
        return RestartContext(daemon: spec, exit: exit, history: RestartHistory(events: history), now: now)
    }

    func restart(ago: Double, manual: Bool = false) -> RestartEvent {
        RestartEvent(time: now - ago, reason: "exited with code 1", oldPID: 1, newPID: 2, success: true, manual: manual)
    }

    func shipped() throws -> LuaRestartPolicy {
        try LuaRestartPolicy(host: try makeHost(), report: reporter)
    }

    // MARK: The shipped policies/restart.lua

    func testFreshDaemonRestartsAtOnce() throws {
        let d = try shipped().decide(context())
        XCTAssertEqual(d.action, .restartNow)
        XCTAssertEqual(d.policy, "\(Self.repoRoot)/policies/restart.lua")
        XCTAssertTrue(d.reason.hasPrefix("exited with code 1; 1 of 3"), d.reason)
        XCTAssertEqual(reported, [])
    }

    func testWithinCooldownWaitsTheRest() throws {
        let d = try shipped().decide(context(uptime: 20, history: [restart(ago: 20)]))
        XCTAssertEqual(d.action, .restartAfter(seconds: 40))
        XCTAssertTrue(d.reason.hasPrefix("cooldown"), d.reason)
    }

    func testFirstRestartAfterAHealthyRunIsImmediate() throws {
        let d = try shipped().decide(context(uptime: 600, history: [restart(ago: 700), restart(ago: 1300)]))
        XCTAssertEqual(d.action, .restartNow)
    }

    func testLimitReachedWaitsUntilTheOldestLeavesTheWindow() throws {
        let d = try shipped().decide(context(uptime: 100, history: [restart(ago: 3000), restart(ago: 2000), restart(ago: 1000)]))
        XCTAssertEqual(d.action, .restartAfter(seconds: 600))
        XCTAssertTrue(d.reason.hasPrefix("rate limit: 3 restarts in the last hour (max 3)"), d.reason)
    }

    func testManualRestartsDoNotCount() throws {
        let history = [restart(ago: 3000, manual: true), restart(ago: 2000, manual: true), restart(ago: 1000, manual: true),
                       restart(ago: 30, manual: true)]
        let d = try shipped().decide(context(uptime: 30, history: history))
        XCTAssertEqual(d.action, .restartNow, d.reason)
    }

    func testOldRestartsOutsideTheHourDoNotCount() throws {
        let d = try shipped().decide(context(uptime: 100, history: [restart(ago: 7200), restart(ago: 5000), restart(ago: 3700)]))
        XCTAssertEqual(d.action, .restartNow)
    }

    func testShippedPolicyAgreesWithTheBuiltInOne() throws {
        let policy = try shipped()
        let builtin = BuiltinRestartPolicy()
        let cases: [RestartContext] = [
            context(), context(uptime: 20, history: [restart(ago: 20)]),
            context(uptime: 100, history: [restart(ago: 3000), restart(ago: 2000), restart(ago: 1000)]),
            context(limits: RestartLimits(maxPerHour: 1_000_000, cooldown: 0), uptime: 0.01, history: (1...50).map { restart(ago: Double($0)) }),
            context(limits: RestartLimits(maxPerHour: 0, cooldown: 60)),
        ]
        for c in cases { XCTAssertEqual(policy.decide(c).action, builtin.decide(c).action) }
    }

    // MARK: Hot reload and fallback

    @discardableResult
    func policyFile(_ body: String) throws -> String {
        try writeConfig("policies/test-policy.lua", body)
    }

    func testEditingThePolicyFileChangesTheNextDecision() throws {
        let file = try policyFile("return { decide = function() return { action = 'restart', reason = 'v1' } end }\n")
        let policy = try shipped()
        let c = context(policy: "test-policy")
        XCTAssertEqual(policy.decide(c).reason, "v1")
        XCTAssertEqual(policy.decide(c).policy, file)
        try policyFile("return { decide = function(d, e, h, now) return { action = 'wait', delay = 7, reason = 'v2 ' .. d.name } end }\n")
        let d = policy.decide(c)
        XCTAssertEqual(d.action, .restartAfter(seconds: 7))
        XCTAssertEqual(d.reason, "v2 d")
        XCTAssertEqual(reported, [])
    }

    func testBrokenEditKeepsTheLastGoodVersionAndReportsFileLine() throws {
        let file = try policyFile("return { decide = function() return { action = 'stay_down', reason = 'good' } end }\n")
        let policy = try shipped()
        let c = context(policy: "test-policy")
        XCTAssertEqual(policy.decide(c).reason, "good")

        try policyFile("return { decide = function()\n  return { action = 'restart' \nend }\n")   // syntax error
        var d = policy.decide(c)
        XCTAssertEqual(d.action, .stayDown)
        XCTAssertEqual(d.reason, "good")
        XCTAssertEqual(d.policy, file)
        XCTAssertEqual(d.version, .lastGood)
        XCTAssertEqual(d.source, "\(file) (last good version)")
        XCTAssertTrue(d.problem?.hasPrefix("\(file):3: ") ?? false, d.problem ?? "no problem recorded")
        XCTAssertEqual(reported.count, 1)
        XCTAssertTrue(reported[0].hasPrefix("\(file):3: "), reported[0])
        XCTAssertTrue(reported[0].contains("keeping the last good version"), reported[0])
        _ = policy.decide(c)
        XCTAssertEqual(reported.count, 1, "a broken version is reported once, not on every decision")

        try policyFile("return { decide = function()\n  local x = nil\n  return x.field\nend }\n")   // runtime error
        d = policy.decide(c)
        XCTAssertEqual(d.reason, "good")
        XCTAssertEqual(reported.count, 2)
        XCTAssertTrue(reported[1].hasPrefix("\(file):3: "), reported[1])

        try policyFile("return { decide = function()\n  return { action = 'reboot' }\nend }\n")   // wrong return value
        d = policy.decide(c)
        XCTAssertEqual(d.reason, "good")
        XCTAssertEqual(reported.count, 3)
        XCTAssertTrue(reported[2].hasPrefix("\(file):1: decide returned action = \"reboot\""), reported[2])

        try policyFile("return { decide = function()\n  while true do end\nend }\n")   // endless loop
        let started = Clock.monotonic()
        d = policy.decide(c)
        XCTAssertLessThan(Clock.monotonic() - started, 3)
        XCTAssertEqual(d.reason, "good")
        XCTAssertEqual(reported.count, 4)
        XCTAssertTrue(reported[3].hasPrefix("\(file):2: time budget"), reported[3])

        try policyFile("return { decide = function() return { action = 'restart', reason = 'fixed' } end }\n")
        d = policy.decide(c)
        XCTAssertEqual(d.reason, "fixed")
        XCTAssertEqual(d.policy, file)
    }

    /// A version that has worked stays in force when one call fails (one daemon's odd
    /// exit): only that decision falls back, and the failure is reported with file:line.
    func testProvenPolicyFailingOnceStaysInForce() throws {
        let file = try policyFile("""
        return { decide = function(d, exit)
          if exit.code == 7 then error("cannot decide code 7") end
          return { action = 'restart', reason = 'from the file' }
        end }

        """)
        let policy = try shipped()
        var c = context(policy: "test-policy")
        XCTAssertEqual(policy.decide(c).reason, "from the file")
        c.exit.code = 7
        let fallback = policy.decide(c)
        XCTAssertTrue(fallback.source.hasPrefix("built-in (fallback: \(file):2: cannot decide code 7"), fallback.source)
        XCTAssertEqual(fallback.version, .fallback)
        XCTAssertEqual(fallback.policy, file, "the fallback's decision names the policy it stood in for")
        XCTAssertEqual(reported.count, 1)
        c.exit.code = 1
        let again = policy.decide(c)
        XCTAssertEqual(again.reason, "from the file")
        XCTAssertEqual(again.policy, file)
        XCTAssertEqual(again.version, .current)
    }

    func testPolicyThatNeverLoadedFallsBackToTheBuiltIn() throws {
        let file = try policyFile("return { decide = 42 }\n")
        let policy = try shipped()
        let d = policy.decide(context(policy: "test-policy"))
        XCTAssertEqual(d.action, .restartNow)
        XCTAssertTrue(d.source.hasPrefix("built-in (fallback: \(file):1: the policy table is wrong: 'decide' must be a function"), d.source)
        XCTAssertEqual(reported.count, 1)
        XCTAssertTrue(reported[0].contains("using the built-in policy"), reported[0])
    }

    func testMissingPolicyAndPathNamesFallBackToTheBuiltIn() throws {
        let policy = try shipped()
        let missing = policy.decide(context(policy: "no-such-policy"))
        XCTAssertTrue(missing.source.hasPrefix("built-in (fallback: no policy 'no-such-policy'"), missing.source)
        XCTAssertEqual(missing.policy, "no-such-policy")
        XCTAssertTrue(policy.decide(context(policy: "../etc/passwd")).source.contains("not a policy name"))
    }

    func testBadReturnValuesAreRefusedStrictly() throws {
        let bodies = [
            "return nil": "decide returned nil",
            "return { action = 'wait' }": "without a delay",
            "return { action = 'wait', delay = -1 }": "delay = -1",
            "return { action = 'restart', delay = 5 }": "use action = \"wait\"",
            "return { action = 'restart', extra = 1 }": "unknown key 'extra'",
            "return { action = 'restart', reason = 5 }": "reason = 5",
            "return 'restart'": "decide returned \"restart\"",
        ]
        for (body, fragment) in bodies {
            reported = []
            try policyFile("return { decide = function(d, e, h, now)\n \(body)\nend }\n")
            let d = try shipped().decide(context(policy: "test-policy"))
            XCTAssertEqual(d.version, .fallback, body)
            XCTAssertTrue(reported.first?.contains(fragment) ?? false, "\(body): \(reported)")
        }
    }

    func testHistorySinceCountsAutomaticRestartsOnly() throws {
        try policyFile("""
            return { decide = function(d, e, h, now)
              return { action = 'restart', reason = #h .. '/' .. #h:since(now - 100) .. '/' .. #h:all_since(now - 100) .. '/' .. e.cause .. '/' .. d.restart.max_per_hour }
            end }
            """)
        let history = [restart(ago: 500), restart(ago: 50), restart(ago: 40, manual: true)]
        XCTAssertEqual(try shipped().decide(context(history: history, policy: "test-policy")).reason, "3/1/2/exited/3")
    }
}
