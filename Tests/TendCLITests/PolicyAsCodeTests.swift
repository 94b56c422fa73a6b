import XCTest
import TendSystem
import TendTestSupport
#if canImport(Glibc)
import Glibc
#endif

/// Restart policies and health checks are Lua files that change behaviour without a
/// rebuild, and a broken one never takes the monitor down.
final class PolicyAsCodeTests: CLITestCase {
    func policy(_ body: String) -> String {
        "return {\n  decide = function(d, exit, history, now)\n    \(body)\n  end,\n}\n"
    }

    func kill9AndWait(_ name: String, _ pid: Int32) {
        XCTAssertEqual(kill(pid, SIGKILL), 0)
        XCTAssertTrue(Wait.until { ProcessTable.snapshot(pid).map { $0.isZombie } ?? true })
    }

    func stateOf(_ name: String, becomes wanted: String, timeout: Double = 20) throws -> [String: Any]? {
        try Wait.value(timeout: timeout) { () throws -> [String: Any]? in
            let s = try self.status(name)
            return s["state"] as? String == wanted ? s : nil
        }
    }

    func testEditingThePolicyOnDiskChangesTheNextDecision() throws {
        try temp.write("config/policies/restart.lua", policy(#"return { action = "restart", reason = "v1 allows it" }"#))
        try temp.writeDaemons(ticker("d"))
        try tend("start", "d")
        let first = try XCTUnwrap(try waitForPID("d"))
        kill9AndWait("d", first)
        let second = try XCTUnwrap(try waitForPID("d", not: first))

        // No rebuild, no reload command: the file changes, the next decision changes.
        try temp.write("config/policies/restart.lua", policy(#"return { action = "stay_down", reason = "v2 says no" }"#))
        kill9AndWait("d", second)
        let held = try XCTUnwrap(try stateOf("d", becomes: "HELD"))
        XCTAssertTrue((held["reason"] as? String)?.hasPrefix("v2 says no") == true, "\(held)")   // then maybe "; left running: …" (the shell loop's sleep)

        // A syntax error keeps v2 (the last good version) in force and is reported.
        try temp.write("config/policies/restart.lua", "return { decide = function(d, exit\n  oops }\n")
        try tend("start", "d")
        let third = try XCTUnwrap(try waitForPID("d"))
        kill9AndWait("d", third)
        XCTAssertNotNil(try stateOf("d", becomes: "HELD"))
        let health = try String(contentsOfFile: "\(temp.home)/logs/health.log")
        XCTAssertTrue(health.contains("restart.lua:2:"), health)
        XCTAssertNotNil(monitorPID().map { ProcessTable.check($0) == .alive ? $0 : nil } ?? nil, "the monitor died")
        let hits = try String(contentsOfFile: "\(temp.home)/logs/policy-hits.log")
        XCTAssertTrue(hits.contains("v1 allows it") && hits.contains("v2 says no"), hits)
    }

    /// A policy that never loads (runtime error, wrong return, endless loop) falls back to
    /// the built-in policy (seed limits): the daemon is restarted, the monitor keeps running.
    func testBrokenPoliciesFallBackToTheBuiltInPolicy() throws {
        let broken = [
            "runtime": policy("local t = nil\n    return t.field"),
            "wrongreturn": policy("return 42"),
            "endless": policy("while true do end"),
        ]
        var config = ""
        for (name, text) in broken {
            try temp.write("config/policies/\(name).lua", text)
            config += ticker("d-\(name)", extra: "policy = \"\(name)\"")
        }
        try temp.writeDaemons(config)
        try tend("start", "--all", timeout: 120)
        for name in broken.keys.sorted() {
            let old = try XCTUnwrap(try waitForPID("d-\(name)"))
            kill9AndWait("d-\(name)", old)
            XCTAssertNotNil(try waitForPID("d-\(name)", not: old), "\(name): not restarted by the fallback")
        }
        let health = try String(contentsOfFile: "\(temp.home)/logs/health.log")
        for name in broken.keys { XCTAssertTrue(health.contains("\(name).lua:"), "\(name) not reported with file:line:\n\(health)") }
        XCTAssertTrue(Wait.until { ((try? String(contentsOfFile: "\(self.temp.home)/logs/policy-hits.log")) ?? "").contains("built-in") },
                      "no policy hit by the built-in fallback")
        let monitor = try XCTUnwrap(monitorPID())
        XCTAssertEqual(ProcessTable.check(monitor), .alive)
    }

    /// A world-writable policy is not obeyed: the built-in policy decides, health.log and
    /// check-config say why and how to fix it, and `chmod go-w` brings the file back.
    func testAWorldWritablePolicyIsRefusedUntilChmodGoW() throws {
        let file = "\(temp.config)/policies/restart.lua"
        try temp.write("config/policies/restart.lua", policy(#"return { action = "restart", reason = "from my file" }"#))
        try FileSystem.setMode(file, 0o666)
        let check = try tend("check-config", expect: 1)
        XCTAssertTrue(check.stdout.contains("\(file): not loaded: the file is world-writable (mode 666)"), check.stdout)
        XCTAssertTrue(check.stdout.contains("fix: chmod go-w \(file)"), check.stdout)

        try temp.writeDaemons(ticker("d"))
        try tend("start", "d")
        let first = try XCTUnwrap(try waitForPID("d"))
        kill9AndWait("d", first)
        let second = try XCTUnwrap(try waitForPID("d", not: first), "the built-in policy restarts it")
        let hits = "\(temp.home)/logs/policy-hits.log", health = "\(temp.home)/logs/health.log"
        XCTAssertTrue(Wait.until { ((try? String(contentsOfFile: hits)) ?? "").contains("built-in") }, "no decision by the built-in policy")
        XCTAssertTrue(((try? String(contentsOfFile: health)) ?? "").contains("chmod go-w \(file)"), "health.log does not say how to fix it")
        // The running monitor says so too, in status.
        let refused = try status("d")
        XCTAssertTrue((refused["reason"] as? String)?.contains("chmod go-w \(file)") == true, "\(refused)")

        try FileSystem.setMode(file, 0o644)
        try tend("check-config")
        kill9AndWait("d", second)
        XCTAssertNotNil(try waitForPID("d", not: second))
        XCTAssertTrue(Wait.until { ((try? String(contentsOfFile: hits)) ?? "").contains("from my file") }, "the fixed file does not decide")
        // Once the fixed file has decided, the refusal is no longer held against it.
        var fixed: [String: Any] = [:]
        XCTAssertTrue(try Wait.until { fixed = try self.status("d"); return !((fixed["reason"] as? String) ?? "").contains("chmod go-w") }, "\(fixed)")
    }

    /// A check that raises is "unknown": shown with its reason, not counted as healthy,
    /// never a restart; it runs again next round and recovers as soon as it passes. One
    /// check raises while a flag file exists; another raises on its first call only and
    /// passes at the next round.
    func testACheckThatRaisesIsUnknownUntilItPassesAgain() throws {
        let flag = "\(temp.root)/broken", calls = "\(temp.root)/once-calls"
        try "x".write(toFile: flag, atomically: true, encoding: .utf8)
        try temp.writeDaemons(ticker("checked", extra: """
        health = function(d) if tend.fs.exists("\(flag)") then error("probe broke") end return true, "fine" end
        """) + ticker("once", extra: """
        health = function(d)
          local first = not tend.fs.exists("\(calls)")
          tend.fs.append("\(calls)", first and "raised\\n" or "passed\\n")
          if first then error("first call fails") end
          return true, "passes from the second call on"
        end
        """))
        try tend("monitor", "--detach", "--interval", "0.5")
        try tend("start", "checked", "once")
        let running = try XCTUnwrap(try waitForPID("checked"))
        let onceRunning = try XCTUnwrap(try waitForPID("once"))
        // `tend health` exits 1 unless every daemon is healthy: unknown is not healthy.
        XCTAssertTrue(try Wait.until { try self.tend("health", expect: nil).stdout.contains("probe broke") }, "no check error shown")
        // The check that raised once passed at its next round.
        XCTAssertTrue(Wait.until { (try? FileSystem.readText(calls))?.split(separator: "\n").count ?? 0 >= 2 }, "the check was not called again")
        XCTAssertEqual(try FileSystem.readText(calls).split(separator: "\n").prefix(2), ["raised", "passed"])
        XCTAssertTrue(try Wait.until { (try self.status("once")["health"] as? [String: Any])?["state"] as? String == "healthy" },
                      "once: not healthy after the round that passed")
        let healthLog = try FileSystem.readText("\(temp.home)/logs/health.log")
        XCTAssertTrue(healthLog.contains("first call fails"), healthLog)
        let health = try tend("health", expect: 1).stdout
        XCTAssertTrue(health.contains("1/2 healthy") && health.contains("unknown"), health)
        XCTAssertEqual(try tend("health", "--score", expect: 1).stdout.trimmingCharacters(in: .whitespacesAndNewlines), "50",
                       "the check error counts as not healthy")
        try FileManager.default.removeItem(atPath: flag)
        XCTAssertTrue(try Wait.until { try self.tend("health", "--score", expect: nil).stdout.hasPrefix("100") }, "the check did not recover")
        try tend("health")
        XCTAssertEqual(try pid(of: "checked"), running, "a check error never restarts the daemon")
        XCTAssertEqual(try pid(of: "once"), onceRunning, "a check error never restarts the daemon")
    }

    /// A failing health check restarts the daemon through the policy.
    func testFailingHealthCheckRestartsTheDaemon() throws {
        let marker = "\(temp.root)/healthy"
        try "yes".write(toFile: marker, atomically: true, encoding: .utf8)
        try temp.writeDaemons(ticker("checked", extra: """
        health = function(d) return tend.fs.exists("\(marker)"), "marker file missing" end
        """))
        try tend("monitor", "--detach", "--interval", "0.5")
        try tend("start", "checked")
        let old = try XCTUnwrap(try waitForPID("checked"))
        // Ready first (its check passed once): only then does a failing check count.
        XCTAssertTrue(try Wait.until { try self.status("checked")["ready"] as? Bool == true }, "never ready")
        try FileManager.default.removeItem(atPath: marker)
        let new = try XCTUnwrap(try waitForPID("checked", not: old), "not restarted after the check failed")
        try "yes".write(toFile: marker, atomically: true, encoding: .utf8)
        XCTAssertNotEqual(new, old)
        XCTAssertTrue(try Wait.until { try self.tend("history", "checked", "--format", "json").stdout.contains("health check failed") },
                      "no history event 'health check failed'")
        let health = try String(contentsOfFile: "\(temp.home)/logs/health.log")
        XCTAssertTrue(health.contains("marker file missing"), health)
    }
}

/// The running monitor re-reads its configuration on `tend reload` and on SIGHUP.
final class ReloadTests: CLITestCase {
    func testReloadAndSIGHUPPickUpAChangedConfiguration() throws {
        try temp.writeDaemons(ticker("a"))
        try tend("start", "a")
        let monitor = try XCTUnwrap(monitorPID())
        try temp.writeDaemons(ticker("a") + ticker("b", extra: "stop_timeout = 2"))
        let r = try tend("reload")
        XCTAssertTrue(r.stdout.contains("reloaded"), r.description)
        let log = "\(temp.home)/logs/daemons/tend.log"
        XCTAssertTrue(Wait.until { ((try? String(contentsOfFile: log)) ?? "").contains("configuration reloaded (tend reload)") })
        XCTAssertEqual(kill(monitor.pid, SIGHUP), 0)
        XCTAssertTrue(Wait.until { ((try? String(contentsOfFile: log)) ?? "").contains("configuration reloaded (SIGHUP)") })
        try tend("start", "b")
        XCTAssertNotNil(try waitForPID("b"))
        XCTAssertEqual(ProcessTable.check(monitor), .alive, "same monitor throughout")
    }

    func testReloadSaysWhatItKeptAndWhatIsMissing() throws {
        try temp.writeDaemons(ticker("a"))
        try tend("start", "a")
        try temp.writeDaemons(ticker("a") + "daemon \"b\" { command = { \"/bin/true\" }, oops = 1 }\n")
        let refused = try tend("reload", expect: 1)
        XCTAssertTrue(refused.stderr.contains("is kept") && refused.stderr.contains("daemons.lua:2:") && refused.stderr.contains("oops"), refused.description)
        try temp.writeDaemons(ticker("a", extra: #"policy = "nowhere""#))
        let missing = try tend("reload", expect: 1)
        XCTAssertTrue(missing.stderr.contains("no policy 'nowhere'"), missing.description)
        try temp.writeDaemons(ticker("a"))
        try tend("reload")
    }

    func testReservedDaemonNameIsRefused() throws {
        try temp.writeDaemons(ticker("tend"))
        let r = try tend("check-config", expect: 1)
        XCTAssertTrue(r.stdout.contains("daemons.lua:1:") && r.stdout.contains("reserved"), r.description)
    }
}
