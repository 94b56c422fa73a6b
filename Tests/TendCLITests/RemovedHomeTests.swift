import XCTest
import TendCore
import TendSystem
import TendTestSupport

/// A home removed under a running monitor (`rm -rf` of the state directory) and made
/// again by the next command: the old monitor and log writer leave at once instead of
/// acting on the new home beside the new monitor (two monitors restarting one daemon).
final class RemovedHomeTests: CLITestCase {
    func testTheMonitorAndLogWriterOfARemovedHomeLeave() throws {
        try temp.writeDaemons(daemon("web", "exec sleep 1000"))
        try tend("start", "web")
        let home = Home(root: temp.home)
        let oldMonitor = try XCTUnwrap(monitorPID())
        let oldLogWriter = try XCTUnwrap(Wait.value(timeout: 30) { LogWriterProcess.running(home) })
        let oldWeb = try XCTUnwrap(ProcessTable.identity(of: try XCTUnwrap(try waitForPID("web"))))
        extraProcesses += [oldMonitor, oldLogWriter, oldWeb]

        XCTAssertEqual(try CommandRunner.run(["/bin/rm", "-rf", temp.home]).code, 0)
        // The log writer watches .fifo/, which went with the home: it sees that at once.
        XCTAssertTrue(Wait.until(timeout: 30) { ProcessTable.check(oldLogWriter) != .alive }, "the old log writer stayed")

        try tend("start", "web")   // a new home, a new monitor (which finds the old web by its environment)
        let newMonitor = try XCTUnwrap(monitorPID())
        XCTAssertNotEqual(newMonitor, oldMonitor)
        // The old monitor wakes for its child's death and must leave, not restart it.
        XCTAssertTrue(Signals.send(.kill, to: oldWeb))
        XCTAssertTrue(Wait.until(timeout: 30) { ProcessTable.check(oldMonitor) != .alive }, "the old monitor stayed")
        let web = try XCTUnwrap(try waitForPID("web", not: oldWeb.pid), "the new monitor did not restart web")
        XCTAssertEqual(ProcessTable.snapshot(web, withCommandLine: false)?.parentPID, newMonitor.pid, "web's parent is not the new monitor")
        XCTAssertEqual(ProcessTable.check(newMonitor), .alive)
    }
}
