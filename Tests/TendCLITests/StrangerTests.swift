import XCTest
import TendSystem
import TendTestSupport
#if canImport(Glibc)
import Glibc
#endif

/// A PID file that names a live stranger: no command signals it, with or without a
/// monitor; status and verify say STALE; cleanup removes the file.
final class StrangerTests: CLITestCase {
    var stranger: ProcessIdentity!

    /// An unrelated process (not started by Tend, not the declared command).
    func startStranger() throws -> ProcessIdentity {
        let pid = try Spawner.spawn(["/bin/sleep", "300"])
        let identity = try XCTUnwrap(ProcessTable.identity(of: pid))
        extraProcesses.append(identity)
        return identity
    }

    override func tearDown() {
        if let stranger { Signals.send(.kill, to: stranger); var st: Int32 = 0; waitpid(stranger.pid, &st, 0) }
        super.tearDown()
    }

    func assertStrangerAlive(after step: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(ProcessTable.check(stranger), .alive, "the stranger was signalled by \(step)", file: file, line: line)
    }

    /// The daemon ran and was stopped; then its PID file was made to name the stranger.
    func prepareStoppedDaemonWithAStrangersPID(removeRecord: Bool) throws {
        try temp.writeDaemons(daemon("a", "exec sleep 1000"))
        try tend("start", "a")
        _ = try XCTUnwrap(try waitForPID("a"))
        try tend("stop", "a")
        stranger = try startStranger()
        if removeRecord { try FileSystem.remove("\(temp.home)/.state/a.json") }
        try temp.write("home/.pids/a.pid", "\(stranger.pid)\n")
    }

    func testWithoutAMonitorNoCommandSignalsAStranger() throws {
        for removeRecord in [true, false] {
            try prepareStoppedDaemonWithAStrangersPID(removeRecord: removeRecord)
            let monitor = try XCTUnwrap(monitorPID())
            try tend("monitor", "--once")   // beside a running monitor: a no-op; then stop it
            Signals.send(.terminate, to: monitor)
            XCTAssertTrue(Wait.until { ProcessTable.check(monitor) != .alive })

            let status = try self.status("a")
            XCTAssertEqual(status["state"] as? String, "STALE", "\(status)")
            let verify = try tend("pid", "verify", "a", expect: 1)
            XCTAssertTrue(verify.stdout.contains("STALE"), verify.description)
            try tend("stop", "a", expect: nil)
            assertStrangerAlive(after: "stop")
            try tend("monitor", "--once")
            assertStrangerAlive(after: "monitor --once")
            let cleanup = try tend("pid", "cleanup")
            XCTAssertTrue(cleanup.stdout.contains("removed a.pid (pid \(stranger.pid))"), cleanup.description)
            XCTAssertFalse(FileSystem.exists("\(temp.home)/.pids/a.pid"))
            assertStrangerAlive(after: "pid cleanup")
            try tend("stop", "--all")
            Signals.send(.kill, to: stranger)
            var st: Int32 = 0
            waitpid(stranger.pid, &st, 0)
            stranger = nil
            temp.cleanUp()
            temp = try TempHome()
        }
    }

    func testWithAMonitorTheStrangerSurvivesEveryCommand() throws {
        try prepareStoppedDaemonWithAStrangersPID(removeRecord: true)
        XCTAssertEqual(try status("a")["state"] as? String, "STALE")
        try tend("restart", "a")
        assertStrangerAlive(after: "restart")
        let started = try XCTUnwrap(try waitForPID("a"))
        XCTAssertNotEqual(started, stranger.pid)
        try tend("stop", "a")
        assertStrangerAlive(after: "stop")
        try temp.write("home/.pids/a.pid", "\(stranger.pid)\n")
        // A new monitor must not adopt it either.
        let monitor = try XCTUnwrap(monitorPID())
        Signals.send(.kill, to: monitor)
        XCTAssertTrue(Wait.until { ProcessTable.check(monitor) != .alive })
        try tend("start", "a")
        assertStrangerAlive(after: "start with a new monitor")
        XCTAssertNotEqual(try waitForPID("a"), stranger.pid)
    }

    func testAPIDFileWithoutARecordIsTrustedOnlyForTheDeclaredCommand() throws {
        try temp.writeDaemons(daemon("a", "exec sleep 1000") + "daemon \"s\" { command = { \"/bin/sleep\", \"300\" } }\n")
        stranger = try startStranger()   // `/bin/sleep 300`: exactly s's declared command
        try temp.write("home/.pids/s.pid", "\(stranger.pid)\n")
        try temp.write("home/.pids/a.pid", "\(stranger.pid)\n")
        XCTAssertEqual(try status("s")["state"] as? String, "RUNNING", "the declared command vouches for it")
        XCTAssertEqual(try status("a")["state"] as? String, "STALE", "another daemon's command does not")
    }

    func testPidWriteRecordsTheIdentityAndRefusesADeadPID() throws {
        try temp.writeDaemons(daemon("legacy", "exec sleep 1000"))
        stranger = try startStranger()
        let r = try tend("pid", "write", "legacy", "\(stranger.pid)")
        XCTAssertTrue(r.stdout.contains("identity recorded"), r.description)
        XCTAssertEqual(try status("legacy")["state"] as? String, "RUNNING", "recorded by identity")
        Signals.send(.kill, to: stranger)
        var st: Int32 = 0
        waitpid(stranger.pid, &st, 0)
        let dead = stranger.pid
        stranger = nil
        let refused = try tend("pid", "write", "legacy", "\(dead)", expect: 1)
        XCTAssertTrue(refused.stderr.contains("not running"), refused.description)
    }

    func testKillOfMonitorPidStopsTheMonitorAndNothingElse() throws {
        try temp.writeDaemons(daemon("a", "exec sleep 1000"))
        try tend("start", "a")
        let daemonPID = try XCTUnwrap(try waitForPID("a"))
        let text = try FileSystem.readText("\(temp.home)/monitor.pid")
        XCTAssertEqual(text.split(separator: "\n").count, 1)
        let written = try XCTUnwrap(Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)), "monitor.pid is not one PID: \(text)")
        let monitor = try XCTUnwrap(monitorPID())
        XCTAssertEqual(written, monitor.pid)
        let killed = try CommandRunner.run(["/bin/sh", "-c", "kill $(cat \(temp.home)/monitor.pid)"])
        XCTAssertEqual(killed.code, 0, killed.description)
        XCTAssertTrue(Wait.until { ProcessTable.check(monitor) != .alive })
        XCTAssertEqual(try pid(of: "a"), daemonPID, "the daemon outlives the monitor")
    }
}
