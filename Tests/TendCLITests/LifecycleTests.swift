import XCTest
import TendSystem
import TendTestSupport
#if canImport(Glibc)
import Glibc
#endif

/// `tend shutdown` both ways, and start order: `after` waits for readiness, stops go
/// dependents first.
final class LifecycleTests: CLITestCase {
    func logWriter() -> ProcessIdentity? {
        guard let text = try? FileSystem.readText("\(temp.home)/.run/logd.json"),
              let pid = TempHome.number(after: "pid", in: Substring(text)),
              let start = TempHome.number(after: "start_time", in: Substring(text)) else { return nil }
        let identity = ProcessIdentity(pid: Int32(pid), startTime: start)
        return ProcessTable.check(identity) == .alive ? identity : nil
    }

    func testShutdownStopsEverythingThenTheMonitor() throws {
        try temp.writeDaemons(daemon("a", "exec sleep 1000") + daemon("b", "exec sleep 1000"))
        try tend("start", "--all")
        let a = try XCTUnwrap(try waitForPID("a")), b = try XCTUnwrap(try waitForPID("b"))
        let monitor = try XCTUnwrap(monitorPID())
        let writer = try XCTUnwrap(Wait.value { self.logWriter() }, "no log writer")
        let r = try tend("shutdown")
        XCTAssertTrue(r.stdout.contains("a: stopped") && r.stdout.contains("b: stopped") && r.stdout.contains("monitor (pid \(monitor.pid)) stopped"), r.description)
        XCTAssertNotEqual(ProcessTable.check(monitor), .alive)
        for pid in [a, b] { XCTAssertTrue(Wait.until { ProcessTable.identity(of: pid) == nil }, "pid \(pid) still runs") }
        XCTAssertTrue(Wait.until { ProcessTable.check(writer) != .alive }, "the log writer outlived a full shutdown")
        let again = try tend("shutdown")
        XCTAssertTrue(again.stdout.contains("no monitor runs"), again.description)
    }

    func testShutdownWithoutAMonitorEndsTheLogWriterToo() throws {
        try temp.writeDaemons(daemon("a", "exec sleep 1000"))
        try tend("start", "a")
        let a = try XCTUnwrap(ProcessTable.identity(of: try XCTUnwrap(try waitForPID("a"))))
        let writer = try XCTUnwrap(Wait.value { self.logWriter() }, "no log writer")
        let monitor = try XCTUnwrap(monitorPID())
        Signals.send(.kill, to: monitor)
        XCTAssertTrue(Wait.until { ProcessTable.check(monitor) != .alive })
        let r = try tend("shutdown")
        XCTAssertTrue(r.stdout.contains("no monitor runs") && r.stdout.contains("log writer (pid \(writer.pid)) stopped"), r.description)
        XCTAssertTrue(Wait.until { ProcessTable.check(writer) != .alive }, "the log writer outlived a shutdown without a monitor")
        XCTAssertNotEqual(ProcessTable.check(a), .alive)
    }

    func testShutdownKeepingTheDaemonsLetsTheNextMonitorAdoptThem() throws {
        try temp.writeDaemons(daemon("a", "exec sleep 1000"))
        try tend("start", "a")
        let a = try XCTUnwrap(try waitForPID("a"))
        let monitor = try XCTUnwrap(monitorPID())
        let r = try tend("shutdown", "--keep-daemons")
        XCTAssertTrue(r.stdout.contains("the daemons run on"), r.description)
        XCTAssertNotEqual(ProcessTable.check(monitor), .alive)
        XCTAssertEqual(try pid(of: "a"), a, "a daemon was stopped")
        XCTAssertNotNil(logWriter(), "the log writer stopped with the monitor: the daemons' output goes nowhere")
        let start = try tend("start", "a")
        XCTAssertTrue(start.stdout.contains("already running (pid \(a))"), start.description)
        XCTAssertNotEqual(monitorPID(), monitor, "no new monitor")
    }

    func testADependentStartsOnceWhatItNeedsIsReadyAndStopsFirst() throws {
        let ready = "\(temp.root)/db-ready"
        try temp.writeDaemons(
            daemon("db", "sleep 0.6; touch \(ready); exec sleep 1000",
                   extra: #"health = function(d) return tend.fs.exists("\#(ready)"), "not accepting yet" end"#)
            + daemon("web", "exec sleep 1001", extra: #"after = { "db" }"#))
        try tend("start", "--all")
        let web = try XCTUnwrap(try waitForPID("web"))
        let readyAt = try XCTUnwrap(FileSystem.info(ready)?.modified, "web runs before db was ready")
        let webStarted = try XCTUnwrap(ProcessTable.snapshot(web)?.startedAt)
        // /proc's start time has the clock tick's grain (10 ms).
        XCTAssertGreaterThanOrEqual(webStarted + 0.02, readyAt, "web started before db was ready")
        XCTAssertEqual(try status("db")["ready"] as? Bool, true)

        try tend("stop", "--all")
        func stoppedAt(_ name: String) throws -> String? {
            try FileSystem.readText("\(temp.home)/logs/daemons/\(name).log").split(separator: "\n")
                .last { $0.contains("killed by SIGTERM") }.flatMap { line in
                    line.range(of: #""ts":""#).map { String(line[$0.upperBound...].prefix(24)) }
                }
        }
        let webDown = try XCTUnwrap(Wait.value { try stoppedAt("web") }), dbDown = try XCTUnwrap(Wait.value { try stoppedAt("db") })
        XCTAssertLessThanOrEqual(webDown, dbDown, "db was stopped before web, which needs it")
    }

    func testADependentWhoseNeedNeverGetsReadyIsHeld() throws {
        try temp.writeDaemons(
            daemon("db", "exec sleep 1000", extra: #"health = function(d) return false, "never" end"#)
            + daemon("web", "exec sleep 1001", extra: #"after = { "db" }, ready_timeout = 1"#))
        try tend("start", "--all", expect: 1)
        let web = try status("web")
        XCTAssertEqual(web["state"] as? String, "HELD")
        XCTAssertTrue((web["reason"] as? String ?? "").contains("db not ready after 1s"), "\(web)")
    }

    func testAStartOrderCycleIsAnErrorAtItsLine() throws {
        try temp.writeDaemons(daemon("a", "exec sleep 1", extra: #"after = { "b" }"#) + daemon("b", "exec sleep 1", extra: #"after = { "a" }"#))
        let r = try tend("check-config", expect: 1)
        XCTAssertTrue(r.stdout.contains("daemons.lua:1:") && r.stdout.contains("cycle"), r.description)
    }
}
