import XCTest
import TendSystem
import TendTestSupport
#if canImport(Glibc)
import Glibc
#endif

/// The seed's health-monitor tests: deaths noticed at once, restarts through the policy.
final class SelfHealingTests: CLITestCase {
    /// Seed Test 5 (critical), with a running monitor: kill -9, a new PID replaces it.
    func testKilledDaemonIsReplacedByTheRunningMonitor() throws {
        try temp.writeDaemons(ticker("context-daemon"))
        try tend("start", "context-daemon")
        let old = try XCTUnwrap(try waitForPID("context-daemon"))
        XCTAssertEqual(kill(old, SIGKILL), 0)
        let new = try XCTUnwrap(try waitForPID("context-daemon", not: old), "no replacement after kill -9")
        XCTAssertNotEqual(new, old)
        // The history and the policy hit are written right after the restart: wait for them.
        let last = try XCTUnwrap(try Wait.value { () throws -> [String: Any]? in
            let history = try JSONSerializationLite.parseAny(try self.tend("history", "context-daemon", "--format", "json").stdout) as? [[String: Any]]
            return history?.last.flatMap { $0["new_pid"] as? Int == Int(new) ? $0 : nil }
        }, "no history event for the restart")
        XCTAssertEqual(last["reason"] as? String, "killed by SIGKILL")
        XCTAssertEqual(last["old_pid"] as? Int, Int(old))
        XCTAssertEqual(last["success"] as? Bool, true)
        XCTAssertTrue(Wait.until { ((try? String(contentsOfFile: "\(self.temp.home)/logs/policy-hits.log")) ?? "").contains("restart.lua") },
                      "no policy hit naming restart.lua")
    }

    /// Seed Test 5 with `tend monitor --once` and no running monitor.
    func testMonitorOnceRestartsADeadDaemon() throws {
        try temp.writeDaemons(ticker("context-daemon"))
        try tend("start", "context-daemon")
        let old = try XCTUnwrap(try waitForPID("context-daemon"))
        let monitor = try XCTUnwrap(monitorPID())
        Signals.send(.kill, to: monitor)
        XCTAssertTrue(Wait.until { ProcessTable.check(monitor) != .alive })
        XCTAssertEqual(kill(old, SIGKILL), 0)
        XCTAssertTrue(Wait.until { ProcessTable.snapshot(old).map { $0.isZombie } ?? true })
        XCTAssertEqual(try status("context-daemon")["state"] as? String, "STALE")
        let once = try tend("monitor", "--once")
        XCTAssertTrue(once.stdout.contains("context-daemon: started pid"), once.description)
        XCTAssertTrue(try tend("monitor", "--once").stdout.contains("nothing to do"), "a second cycle finds nothing to do")
        try tend("monitor", "--detach")
        let beside = try tend("monitor", "--once")
        XCTAssertTrue(beside.stdout.contains("a monitor runs"), beside.description)
        let new = try XCTUnwrap(try waitForPID("context-daemon", not: old))
        XCTAssertNotEqual(new, old)
        let health = try tend("health", "--score")
        XCTAssertEqual(health.stdout.trimmingCharacters(in: .whitespacesAndNewlines), "100")
    }

    /// Crash loop under a short-window policy: restarted as allowed, then waits (status
    /// says why and until when), then restarted by the monitor when the window opens.
    func testCrashLoopWaitsThenResumes() throws {
        try temp.write("config/policies/restart.lua", """
        -- test policy: at most 2 restarts per 3-second window
        return {
          decide = function(d, exit, history, now)
            local recent = history:since(now - 3)
            if #recent >= 2 then
              return { action = "wait", delay = recent[1].time + 3 - now, reason = "window full: " .. #recent .. " restarts" }
            end
            return { action = "restart", reason = "allowed (" .. #recent .. " in window)" }
          end,
        }
        """)
        try temp.writeDaemons(daemon("crasher", "echo crashing; sleep 0.3; exit 3"))
        try tend("start", "crasher")
        let waiting = try Wait.value(timeout: 30) { () throws -> [String: Any]? in
            let s = try self.status("crasher")
            return s["state"] as? String == "WAITING" ? s : nil
        }
        let w = try XCTUnwrap(waiting, "never reached WAITING")
        XCTAssertTrue((w["reason"] as? String)?.contains("window full") == true, "\(w)")
        XCTAssertNotNil(w["next_attempt_at"] as? Double)
        func restartTimes() throws -> [Double] {
            let h = try JSONSerializationLite.parseAny(try tend("history", "crasher", "--format", "json").stdout) as? [[String: Any]]
            let formatter = ISO8601DateFormatter()
            formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
            return (h ?? []).filter { ($0["manual"] as? Bool) == false }
                .compactMap { ($0["timestamp"] as? String).flatMap(formatter.date(from:))?.timeIntervalSince1970 }
        }
        // Exactly the two restarts the window allows happened before the scheduled attempt
        // (a third may already have come if this machine is slow: it must come after it).
        let due = try XCTUnwrap(w["next_attempt_at"] as? Double)
        let times = try XCTUnwrap(try Wait.value { () throws -> [Double]? in
            let t = try restartTimes()
            return t.count >= 2 ? t : nil
        })
        XCTAssertEqual(times.filter { $0 < due - 0.001 }.count, 2, "restarts before the window opened: \(times), due \(due)")
        XCTAssertTrue(try Wait.until(timeout: 30) { try restartTimes().count >= 3 }, "not restarted when the window opened")
        let hits = try String(contentsOfFile: "\(temp.home)/logs/policy-hits.log")
        XCTAssertTrue(hits.contains("window full"), hits)
    }

    /// Adoption: a new monitor takes over the running daemons (same PIDs, no duplicates),
    /// still notices a kill at once, and lines written meanwhile reach the log.
    func testNewMonitorAdoptsRunningDaemons() throws {
        try temp.writeDaemons(daemon("counter", "i=0; while :; do i=$((i+1)); echo n-$i; sleep 0.05; done") + ticker("other"))
        try tend("start", "counter", "other")
        let counter = try XCTUnwrap(try waitForPID("counter")), other = try XCTUnwrap(try waitForPID("other"))
        let first = try XCTUnwrap(monitorPID())
        Signals.send(.kill, to: first)
        XCTAssertTrue(Wait.until { ProcessTable.check(first) != .alive })
        // The daemons keep writing while no monitor reads.
        _ = Poller.waitReadable([], timeout: 1.0)
        try tend("monitor", "--detach")
        let second = try XCTUnwrap(monitorPID())
        XCTAssertNotEqual(second, first)
        XCTAssertEqual(try pid(of: "counter"), counter)
        XCTAssertEqual(try pid(of: "other"), other)
        let copies = ProcessTable.allPIDs().compactMap { ProcessTable.snapshot($0) }.filter { $0.commandLine.last?.contains("echo n-$i") == true && !$0.isZombie }
        XCTAssertEqual(copies.count, 1, "duplicate daemons: \(copies.map(\.pid))")
        XCTAssertEqual(kill(other, SIGKILL), 0)
        XCTAssertNotNil(try waitForPID("other", not: other, timeout: 20), "kill after adoption not noticed")
        // Every number up to the newest logged line is there: nothing lost across the gap.
        let log = "\(temp.home)/logs/daemons/counter.log"
        var numbers: [Int] = []
        XCTAssertTrue(Wait.until(timeout: 20) {
            let text = (try? String(contentsOfFile: log)) ?? ""
            numbers = text.split(separator: "\n").compactMap { line in
                line.range(of: "\"n-").flatMap { r in Int(line[r.upperBound...].prefix { $0.isNumber }) }
            }
            return (numbers.max() ?? 0) > 40
        })
        let maxSeen = numbers.max() ?? 0
        XCTAssertEqual(Set(numbers), Set(1...maxSeen), "lines lost across the monitor's death")
    }
}

/// Edge cases of the monitor's bookkeeping found in review.
final class MonitorEdgeCaseTests: CLITestCase {
    /// A monitor killed in the middle of `tend restart` leaves a daemon being stopped and
    /// wanted up: the next monitor finishes the stop and starts it again.
    func testRestartInterruptedByTheMonitorsDeathIsCompletedByTheNext() throws {
        try temp.writeDaemons(daemon("stubborn", "trap '' TERM; while :; do sleep 0.1; done", extra: "stop_timeout = 3"))
        try tend("start", "stubborn")
        let old = try XCTUnwrap(try waitForPID("stubborn"))
        let client = try Spawner.spawn([CommandRunner.tendBinary, "restart", "stubborn"], environment: temp.environment)
        defer { kill(client, SIGKILL); var st: Int32 = 0; waitpid(client, &st, 0) }
        XCTAssertNotNil(try Wait.value { () throws -> String? in
            try self.status("stubborn")["state"] as? String == "STOPPING" ? "yes" : nil
        }, "never saw STOPPING")
        let first = try XCTUnwrap(monitorPID())
        Signals.send(.kill, to: first)
        XCTAssertTrue(Wait.until { ProcessTable.check(first) != .alive })
        try tend("monitor", "--detach")
        let new = try XCTUnwrap(try waitForPID("stubborn", not: old, timeout: 30), "the interrupted restart was not completed")
        XCTAssertNotEqual(new, old)
        XCTAssertTrue(Wait.until { ProcessTable.snapshot(old).map { $0.isZombie } ?? true }, "the old process survived")
    }

    /// A daemon removed from the configuration while it waits for a restart is dropped:
    /// no restart, and the monitor does not spin on its old deadline.
    func testRemovingAWaitingDaemonDropsItsRestart() throws {
        try temp.write("config/policies/restart.lua", """
        return { decide = function() return { action = "wait", delay = 0.5, reason = "later" } end }
        """)
        try temp.writeDaemons(daemon("crasher", "exit 1") + ticker("keeper"))
        try tend("start", "crasher", "keeper")
        XCTAssertNotNil(try Wait.value { () throws -> String? in
            try self.status("crasher")["state"] as? String == "WAITING" ? "yes" : nil
        })
        try temp.writeDaemons(ticker("keeper"))
        try tend("reload")
        let monitor = try XCTUnwrap(monitorPID())
        func cpuTicks() -> Int64 {
            let stat = (try? String(contentsOfFile: "/proc/\(monitor.pid)/stat")) ?? ""
            let fields = stat[stat.index(after: stat.lastIndex(of: ")")!)...].split(separator: " ")
            return (Int64(fields[11]) ?? 0) + (Int64(fields[12]) ?? 0)
        }
        let before = cpuTicks()
        // A window to measure CPU over (the spin, if any, would burn ~100 ticks in it).
        _ = Poller.waitReadable([], timeout: 1.5)
        XCTAssertLessThan(cpuTicks() - before, 30, "the monitor spins after the reload")
        let history = try JSONSerializationLite.parseAny(try tend("history", "keeper", "--format", "json").stdout) as? [[String: Any]]
        XCTAssertEqual(history?.count, 0)
        XCTAssertFalse(FileManager.default.fileExists(atPath: "\(temp.home)/.pids/crasher.pid"), "crasher was restarted after its removal")
    }
}
