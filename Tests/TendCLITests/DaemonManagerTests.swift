import XCTest
import TendSystem
import TendTestSupport
#if canImport(Glibc)
import Glibc
#endif

/// The seed's daemon-manager tests, with real processes.
final class DaemonManagerTests: CLITestCase {
    static let seedDaemons = ["context-daemon", "session-auto-save-daemon", "preference-auto-tracker", "skill-auto-suggester",
                              "commit-daemon", "session-pruning-daemon", "pattern-detection-daemon", "failure-prevention-daemon"]

    /// Seed Test 1: start a daemon, status RUNNING with its PID, start all eight, stop all.
    func testStartOneThenAllThenStopAll() throws {
        try temp.writeDaemons(Self.seedDaemons.map { ticker($0) }.joined())
        let started = try tend("start", "context-daemon")
        XCTAssertTrue(started.stdout.contains("context-daemon: started (pid "), started.description)
        let first = try XCTUnwrap(try waitForPID("context-daemon"))
        XCTAssertEqual(ProcessTable.snapshot(first)?.commandLine.first, "/bin/sh")
        XCTAssertEqual(try String(contentsOfFile: "\(temp.home)/.pids/context-daemon.pid").trimmingCharacters(in: .whitespacesAndNewlines), String(first))

        let again = try tend("start", "context-daemon")
        XCTAssertTrue(again.stdout.contains("already running (pid \(first))"), again.description)

        try tend("start", "--all")
        let table = try tend("status").stdout
        for name in Self.seedDaemons {
            let line = table.split(separator: "\n").first { $0.hasPrefix(name + " ") }
            XCTAssertTrue(line?.contains("RUNNING") == true, "\(name) in\n\(table)")
        }
        let pids = try Self.seedDaemons.map { try XCTUnwrap(try pid(of: $0)) }

        let stopped = try tend("stop", "--all")
        XCTAssertEqual(stopped.stdout.split(separator: "\n").filter { $0.contains(": stopped") }.count, 8, stopped.description)
        for p in pids { XCTAssertNil(ProcessTable.identity(of: p).flatMap { ProcessTable.snapshot($0.pid)?.isZombie == false ? $0 : nil }, "pid \(p) still alive") }
        let json = try JSONSerializationLite.parse(try tend("status", "--format", "json").stdout)
        let states = ((json["daemons"] as? [[String: Any]]) ?? []).compactMap { $0["state"] as? String }
        XCTAssertEqual(states, Array(repeating: "STOPPED", count: 8))
    }

    func testUnknownDaemonIsAClearError() throws {
        try temp.writeDaemons(ticker("a"))
        let r = try tend("start", "nope", expect: 1)
        XCTAssertTrue(r.stderr.contains("unknown daemon: nope"), r.description)
        XCTAssertTrue(r.stderr.contains("known: a"), r.description)
    }

    func testMissingCommandIsHeldWithReason() throws {
        try temp.writeDaemons("daemon \"ghost\" { command = { \"/nonexistent/prog\" } }\n")
        let r = try tend("start", "ghost", expect: 1)
        XCTAssertTrue(r.stderr.contains("command not found: /nonexistent/prog"), r.description)
        let s = try status("ghost")
        XCTAssertEqual(s["state"] as? String, "HELD")
    }

    /// A daemon that ignores SIGTERM is killed after stop_timeout; its grandchild too.
    func testStopKillsATermIgnorerAndItsGroup() throws {
        try temp.writeDaemons(daemon("stubborn", "trap '' TERM; sleep 1000 & while :; do sleep 0.2; done", extra: "stop_timeout = 1"))
        try tend("start", "stubborn")
        let leader = try XCTUnwrap(try waitForPID("stubborn"))
        var group: [ProcessIdentity] = []
        XCTAssertTrue(Wait.until(timeout: 20) {
            group = ProcessTable.allPIDs().compactMap { ProcessTable.snapshot($0) }.filter { $0.processGroup == leader && $0.pid != leader && $0.name == "sleep" && $0.commandLine.last == "1000" }.map(\.identity)
            return !group.isEmpty
        }, "grandchild sleep 1000 not found")
        let stopped = try tend("stop", "stubborn")
        XCTAssertTrue(stopped.stdout.contains("stopped"), stopped.description)
        XCTAssertTrue(stopped.stdout.contains("SIGKILL"), "expected the stop to end in SIGKILL: \(stopped)")
        for p in group + [ProcessIdentity(pid: leader, startTime: 0)] {
            XCTAssertTrue(Wait.until(timeout: 10) { ProcessTable.snapshot(p.pid).map { $0.isZombie || (p.startTime != 0 && $0.startTime != p.startTime) } ?? true }, "pid \(p.pid) survived the stop")
        }
    }

    /// Killing the monitor with SIGKILL stops no daemon.
    func testKillingTheMonitorStopsNoDaemon() throws {
        try temp.writeDaemons(ticker("a") + ticker("b"))
        try tend("start", "a", "b")
        let a = try XCTUnwrap(try waitForPID("a")), b = try XCTUnwrap(try waitForPID("b"))
        let monitor = try XCTUnwrap(monitorPID())
        XCTAssertTrue(Signals.send(.kill, to: monitor))
        XCTAssertTrue(Wait.until { ProcessTable.check(monitor) != .alive })
        XCTAssertNotNil(ProcessTable.identity(of: a))
        XCTAssertNotNil(ProcessTable.identity(of: b))
        XCTAssertEqual(try pid(of: "a"), a)
        XCTAssertTrue(try tend("status").stdout.contains("monitor: not running"))
        // Stopping without a monitor works the same way.
        let stopped = try tend("stop", "a")
        XCTAssertTrue(stopped.stdout.contains("a: stopped (pid \(a)"), stopped.description)
        XCTAssertTrue(Wait.until { ProcessTable.snapshot(a).map { $0.isZombie } ?? true })
    }

    /// A PID file naming a live unrelated process is STALE, and stop does not signal it.
    func testReusedPIDIsStaleAndNeverSignalled() throws {
        try temp.writeDaemons(ticker("victim"))
        let stranger = try Spawner.spawn(["/bin/sleep", "300"])
        let identity = try XCTUnwrap(ProcessTable.identity(of: stranger))
        extraProcesses.append(identity)
        try FileSystem.makeDirectory("\(temp.home)/.pids")
        try FileSystem.makeDirectory("\(temp.home)/.state")
        try "\(stranger)\n".write(toFile: "\(temp.home)/.pids/victim.pid", atomically: true, encoding: .utf8)
        // The record says the daemon had this PID with another start time: the PID was reused.
        try """
        {"name":"victim","wanted":"down","restartCount":0,"process":{"pid":\(stranger),"startTime":\(identity.startTime &- 5)}}
        """.write(toFile: "\(temp.home)/.state/victim.json", atomically: true, encoding: .utf8)
        XCTAssertEqual(try status("victim")["state"] as? String, "STALE")
        let verify = try tend("pid", "verify", "victim", expect: 1)
        XCTAssertTrue(verify.stdout.contains("STALE"), verify.description)
        let stop = try tend("stop", "victim", expect: nil)
        XCTAssertFalse(stop.stdout.contains("stopped (pid \(stranger)"), stop.description)
        XCTAssertEqual(ProcessTable.check(identity), .alive, "the unrelated process was signalled")
        let cleanup = try tend("pid", "cleanup")
        XCTAssertTrue(cleanup.stdout.contains("removed victim.pid (pid \(stranger))"), cleanup.description)
        XCTAssertEqual(ProcessTable.check(identity), .alive)
    }

    /// Daemon output reaches logs/daemons/NAME.log through the monitor.
    func testOutputIsCapturedIntoTheDaemonLog() throws {
        try temp.writeDaemons(daemon("talker", "for i in $(seq 1 50); do echo line-$i; done; echo err-line >&2; exec sleep 1000"))
        try tend("start", "talker")
        let log = "\(temp.home)/logs/daemons/talker.log"
        XCTAssertTrue(Wait.until { ((try? String(contentsOfFile: log)) ?? "").contains("err-line") }, "output not captured")
        let text = try String(contentsOfFile: log)
        for i in 1...50 { XCTAssertTrue(text.contains("\"line-\(i)\""), "line-\(i) missing") }
    }

    /// A corrupt state record is kept (moved aside), reported, and the daemon still starts.
    func testCorruptStateRecordIsMovedAsideAndReported() throws {
        try temp.writeDaemons(ticker("d"))
        try FileManager.default.createDirectory(atPath: "\(temp.home)/.state", withIntermediateDirectories: true)
        try "{\"name\": \"d\", \"wanted\": ".write(toFile: "\(temp.home)/.state/d.json", atomically: true, encoding: .utf8)
        try tend("start", "d")
        XCTAssertNotNil(try waitForPID("d"))
        let aside = try FileManager.default.contentsOfDirectory(atPath: "\(temp.home)/.state").filter { $0.hasPrefix("d.json.corrupt-") }
        XCTAssertEqual(aside.count, 1)
        let health = try String(contentsOfFile: "\(temp.home)/logs/health.log")
        XCTAssertTrue(health.contains("corrupt state record"), health)
    }
}
