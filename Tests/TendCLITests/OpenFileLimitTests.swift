import XCTest
import TendSystem
import TendTestSupport
#if canImport(Glibc)
import Glibc
#endif

/// The open-file limit at scale: the monitor raises its own soft limit to the hard one,
/// its daemons get the limit it found (and no descriptor of its own), and a configuration
/// that would not fit under the hard limit is said by check-config and by the monitor.
final class OpenFileLimitTests: CLITestCase {
    /// `tend ARGS` run with the open-file limit `soft:hard` (the monitor it starts inherits it).
    @discardableResult
    func tendLimited(_ soft: Int, _ hard: Int, _ args: String..., expect code: Int32 = 0) throws -> CommandRunner.Result {
        let r = try CommandRunner.run(["/usr/bin/prlimit", "--nofile=\(soft):\(hard)", "--", CommandRunner.tendBinary] + args,
                                      env: temp.environment)
        XCTAssertEqual(r.code, code, "tend \(args.joined(separator: " ")): \(r)")
        return r
    }

    /// Soft and hard "Max open files" of a process.
    func openFiles(_ pid: Int32) throws -> (soft: String, hard: String) {
        let text = try FileSystem.readText("/proc/\(pid)/limits")
        let row = try XCTUnwrap(text.split(separator: "\n").first { $0.hasPrefix("Max open files") })
        let fields = row.dropFirst("Max open files".count).split(separator: " ").map(String.init)
        return (fields[0], fields[1])
    }

    func testTheMonitorRaisesItsLimitAndItsDaemonsGetTheOneItFound() throws {
        try temp.writeDaemons(daemon("web", "exec sleep 1000") + daemon("many", "exec sleep 1000", extra: "limits = { nofile = 300 }"))
        try tendLimited(256, 4096, "start", "web", "many")
        let monitor = try XCTUnwrap(monitorPID())
        XCTAssertEqual(try openFiles(monitor.pid).soft, "4096")
        let web = try XCTUnwrap(try waitForPID("web"))
        XCTAssertEqual(try openFiles(web).soft, "256", "the limit the monitor found")
        XCTAssertEqual(try openFiles(web).hard, "4096")
        XCTAssertEqual(try openFiles(try XCTUnwrap(try waitForPID("many"))).soft, "300", "the daemon's own limits win")
        // The monitor holds sockets, locks, logs and every daemon's FIFOs: none reaches a daemon.
        XCTAssertEqual(try FileSystem.list("/proc/\(web)/fd").sorted(), ["0", "1", "2"])
    }

    func testDaemonsThatWouldNotFitUnderTheHardLimitAreSaid() throws {
        // 64 + 5 a daemon: 20 daemons need 164 descriptors.
        try temp.writeDaemons((1...20).map { daemon("d\($0)", "exec sleep 1000") }.joined())
        let check = try tendLimited(150, 150, "check-config", expect: 1)
        XCTAssertTrue(check.stdout.contains("\(temp.config)/daemons.lua: 20 daemons need about 164 open files"), check.description)
        XCTAssertTrue(check.stdout.contains("hard limit is 150"), check.description)
        XCTAssertEqual(try tendLimited(1024, 1024, "check-config").code, 0)

        try tendLimited(150, 150, "start", "d1")
        let said = Wait.value(timeout: 30) { () -> String? in
            let health = (try? FileSystem.readText("\(self.temp.home)/logs/health.log")) ?? ""
            return health.split(separator: "\n").first { $0.contains("open_files") }.map(String.init)
        }
        XCTAssertTrue(said?.contains("20 daemons need about 164 open files") == true, "health.log: \(said ?? "nothing")")
    }
}
