import XCTest
import TendSystem
import TendTestSupport
#if canImport(Glibc)
import Glibc
#endif

/// A daemon's whole process tree stays known: descendants that left its group or
/// session, programs that daemonize themselves, daemons no longer declared.
final class DescendantsTests: CLITestCase {
    /// The live processes started for this home (their environment says so).
    func treeProcesses(of daemon: String) -> [ProcessSnapshot] {
        ProcessTable.processes(withEnvironment: "TEND_HOME=\(temp.home)", reporting: "TEND_DAEMON")
            .filter { $0.value == daemon }.map(\.process)
    }

    func sleepers(_ arg: String, of daemon: String) -> [ProcessSnapshot] {
        treeProcesses(of: daemon).filter { ProcessTable.commandLine($0.pid) == ["sleep", arg] }
    }

    func testStopEndsAGrandchildThatCalledSetsid() throws {
        try temp.writeDaemons(daemon("a", "setsid sleep 1001 & exec sleep 1000"))
        try tend("start", "a")
        _ = try XCTUnwrap(try waitForPID("a"))
        let grandchild = try XCTUnwrap(Wait.value { self.sleepers("1001", of: "a").first })
        XCTAssertNotEqual(grandchild.session, ProcessTable.snapshot(try XCTUnwrap(try pid(of: "a")))?.session, "it left the session")
        let r = try tend("stop", "a")
        XCTAssertTrue(r.stdout.contains("a: stopped"), r.description)
        XCTAssertTrue(Wait.until { ProcessTable.check(grandchild.identity) != .alive }, "the setsid grandchild outlived the stop")
        XCTAssertTrue(Wait.until { self.treeProcesses(of: "a").isEmpty }, "something of the daemon still runs")
    }

    func testAGrandchildStillHandlingSIGTERMGetsTheStopTimeoutBeforeSIGKILL() throws {
        // The grandchild (its own session) takes half a second to finish on SIGTERM and
        // says so in a file; the daemon's main process ends at once. A SIGKILL as soon as
        // the main process is gone would leave no file.
        let done = "\(temp.root)/grandchild-finished"
        let grandchild = "trap 'sleep 0.5; echo done > \(done); exit 0' TERM; while :; do sleep 0.05; done"
        try temp.writeDaemons(daemon("a", "setsid sh -c \"\(grandchild)\" & exec sleep 1000", extra: "stop_timeout = 10"))
        try tend("start", "a")
        _ = try XCTUnwrap(try waitForPID("a"))
        let stray = try XCTUnwrap(Wait.value { self.treeProcesses(of: "a").first { ProcessTable.commandLine($0.pid).last?.hasPrefix("trap") == true } },
                                  "the setsid grandchild")
        try tend("stop", "a")
        XCTAssertTrue(Wait.until { ProcessTable.check(stray.identity) != .alive }, "the grandchild outlived the stop")
        XCTAssertTrue(FileSystem.exists(done), "the grandchild was killed before it could finish its SIGTERM handling")
        XCTAssertTrue(Wait.until { self.treeProcesses(of: "a").isEmpty }, "something of the daemon still runs")
    }

    func testStopWithoutAMonitorEndsTheGrandchildToo() throws {
        try temp.writeDaemons(daemon("a", "setsid sleep 1001 & exec sleep 1000"))
        try tend("start", "a")
        _ = try XCTUnwrap(try waitForPID("a"))
        let grandchild = try XCTUnwrap(Wait.value { self.sleepers("1001", of: "a").first })
        let monitor = try XCTUnwrap(monitorPID())
        Signals.send(.kill, to: monitor)
        XCTAssertTrue(Wait.until { ProcessTable.check(monitor) != .alive })
        try tend("stop", "a")
        XCTAssertTrue(Wait.until { ProcessTable.check(grandchild.identity) != .alive })
    }

    /// A double fork, the parent exiting 0 (as `memcached -d` does).
    let selfDaemonizing = "( setsid sleep 1002 & ) ; exit 0"

    func testASelfDaemonizingProgramIsHeldNotMultiplied() throws {
        try temp.writeDaemons(daemon("d", selfDaemonizing))
        try tend("start", "d", expect: nil)
        let status = try XCTUnwrap(Wait.value { () -> [String: Any]? in
            let s = try? self.status("d")
            return s?["state"] as? String == "HELD" ? s : nil
        }, "not held")
        let reason = (status["reason"] as? String) ?? ""
        XCTAssertTrue(reason.contains("daemonized itself") && reason.contains("forking = true"), "\(status)")
        XCTAssertEqual(sleepers("1002", of: "d").count, 1, "copies: \(sleepers("1002", of: "d").map(\.pid))")
        try tend("stop", "d")
        XCTAssertTrue(Wait.until { self.treeProcesses(of: "d").isEmpty }, "stop left the daemonized copy running")
    }

    func testAStartBesideTheDaemonizedCopyStartsNoSecondOne() throws {
        try temp.writeDaemons(daemon("d", selfDaemonizing))
        try tend("start", "d", expect: nil)
        XCTAssertTrue(try Wait.until { try self.status("d")["state"] as? String == "HELD" }, "not held")
        let copy = try XCTUnwrap(sleepers("1002", of: "d").first)
        let again = try tend("start", "d", expect: 1)
        let said = again.stdout + again.stderr
        XCTAssertTrue(said.contains("daemonized itself") && said.contains("pid \(copy.pid)"), again.description)
        // A second copy would show within a second (the program forks at once).
        XCTAssertFalse(Wait.until(timeout: 1) { self.sleepers("1002", of: "d").count > 1 },
                       "copies: \(sleepers("1002", of: "d").map(\.pid))")
        XCTAssertEqual(sleepers("1002", of: "d").map(\.pid), [copy.pid])
        // Said where problems are looked for: the daemon's log and health.log, naming the PID.
        for log in ["daemons/d.log", "health.log"] {
            XCTAssertTrue(Wait.until {
                let text = (try? FileSystem.readText("\(self.temp.home)/logs/\(log)")) ?? ""
                return text.contains("left pid \(copy.pid) running") && text.contains("daemonized itself")
            }, "\(log): \((try? FileSystem.readText("\(temp.home)/logs/\(log)")) ?? "")")
        }
        try tend("stop", "d")
        XCTAssertTrue(Wait.until { self.treeProcesses(of: "d").isEmpty }, "stop left the daemonized copy running")
    }

    func testAStartAfterACrashEndsWhatTheCrashLeftThenStartsOneCopy() throws {
        // The policy keeps it down after the crash, so only the user's start brings it back.
        try temp.write("config/policies/down.lua", "return { decide = function() return { action = \"stay_down\", reason = \"kept down\" } end }\n")
        try temp.writeDaemons(daemon("a", "setsid sleep 1001 & exec sleep 1000", extra: "policy = \"down\""))
        try tend("start", "a")
        let main = try XCTUnwrap(ProcessTable.identity(of: try XCTUnwrap(try waitForPID("a"))))
        let grandchild = try XCTUnwrap(Wait.value { self.sleepers("1001", of: "a").first })
        Signals.send(.kill, to: main)
        XCTAssertTrue(Wait.until { (try? self.status("a"))?["state"] as? String == "HELD" }, "not held after the crash")
        XCTAssertEqual(ProcessTable.check(grandchild.identity), .alive, "the crash's leftover should still run before the start")
        try tend("start", "a")
        XCTAssertTrue(Wait.until { ProcessTable.check(grandchild.identity) != .alive }, "the start ran beside what the crash left")
        let fresh = try XCTUnwrap(Wait.value { self.sleepers("1001", of: "a").first }, "the new run's child")
        XCTAssertNotEqual(fresh.pid, grandchild.pid)
        XCTAssertFalse(Wait.until(timeout: 1) { self.sleepers("1001", of: "a").count > 1 },
                       "copies: \(sleepers("1001", of: "a").map(\.pid))")
    }

    func testStopWithoutAMonitorEndsWhatADeadDaemonLeftBehind() throws {
        try temp.writeDaemons(daemon("a", "setsid sleep 1001 & exec sleep 1000"))
        try tend("start", "a")
        let main = try XCTUnwrap(ProcessTable.identity(of: try XCTUnwrap(try waitForPID("a"))))
        let grandchild = try XCTUnwrap(Wait.value { self.sleepers("1001", of: "a").first })
        let monitor = try XCTUnwrap(monitorPID())
        Signals.send(.kill, to: monitor)
        XCTAssertTrue(Wait.until { ProcessTable.check(monitor) != .alive })
        Signals.send(.kill, to: main)
        XCTAssertTrue(Wait.until { ProcessTable.check(main) != .alive })
        let r = try tend("stop", "a")
        XCTAssertTrue(r.stdout.contains("pid \(grandchild.pid)"), r.description)
        XCTAssertTrue(Wait.until { ProcessTable.check(grandchild.identity) != .alive }, "the setsid grandchild outlived the stop")
        XCTAssertTrue(Wait.until { self.treeProcesses(of: "a").isEmpty }, "something of the daemon still runs")
    }

    func testWithForkingTheRemainingProcessIsSupervised() throws {
        try temp.writeDaemons(daemon("d", selfDaemonizing, extra: "forking = true, restart = { max_per_hour = 100, cooldown = 0 }"))
        try tend("start", "d", expect: nil)
        let first = try XCTUnwrap(Wait.value { () -> Int32? in
            guard let copy = self.sleepers("1002", of: "d").first, (try? self.pid(of: "d")) == copy.pid else { return nil }
            return copy.pid
        }, "the forked copy did not become the daemon")
        XCTAssertEqual(kill(first, SIGKILL), 0)
        let second = try XCTUnwrap(Wait.value { () -> Int32? in
            guard let copy = self.sleepers("1002", of: "d").first, copy.pid != first, (try? self.pid(of: "d")) == copy.pid else { return nil }
            return copy.pid
        }, "not restarted after kill -9")
        XCTAssertEqual(sleepers("1002", of: "d").map(\.pid), [second], "exactly one copy")
        try tend("stop", "d")
        XCTAssertTrue(Wait.until { self.treeProcesses(of: "d").isEmpty })
    }

    func testAnUndeclaredDaemonIsListedStoppedAndNeverRestarted() throws {
        try temp.writeDaemons(daemon("a", "exec sleep 1000") + daemon("b", "exec sleep 1000"))
        try tend("start", "a", "b")
        let a = try XCTUnwrap(try waitForPID("a"))
        try temp.writeDaemons(daemon("b", "exec sleep 1000"))
        try tend("reload")
        let listed = try tend("status").stdout
        XCTAssertTrue(listed.contains("not in daemons.lua"), listed)
        XCTAssertEqual(ProcessTable.identity(of: a).map { ProcessTable.check($0) }, .alive, "still running, still ours")
        try tend("stop", "--all")
        XCTAssertTrue(Wait.until { ProcessTable.identity(of: a) == nil || ProcessTable.snapshot(a)?.isZombie == true })

        // Never restarted: started again before the removal, killed after it.
        try temp.writeDaemons(daemon("a", "exec sleep 1000") + daemon("b", "exec sleep 1000"))
        try tend("reload")
        try tend("start", "a")
        let again = try XCTUnwrap(try waitForPID("a"))
        try temp.writeDaemons(daemon("b", "exec sleep 1000"))
        try tend("reload")
        XCTAssertEqual(kill(again, SIGKILL), 0)
        XCTAssertTrue(try Wait.until { try self.tend("status").stdout.contains("a ") == false || (try self.status("a")["state"] as? String) != "RUNNING" })
        let log = try FileSystem.readText("\(temp.home)/logs/daemons/a.log")
        XCTAssertTrue(Wait.until { ((try? FileSystem.readText("\(self.temp.home)/logs/daemons/a.log")) ?? "").contains("killed by SIGKILL") }, log)
        XCTAssertTrue(treeProcesses(of: "a").isEmpty, "an undeclared daemon was restarted")
    }
}
