import XCTest
import TendSystem
import TendTestSupport

/// The seed's Test 2 (PID tracker) and Test 4 (health summary), through the CLI.
final class PidTrackerTests: CLITestCase {
    func testWriteReadUnusedPIDIsStaleAndCleanedUp() throws {
        try temp.writeDaemons(ticker("context-daemon") + ticker("commit-daemon"))
        // The seed writes 99999; on a machine where that PID is in use, the next free one.
        let unused = try XCTUnwrap((99999..<199999).first { ProcessTable.snapshot(Int32($0), withCommandLine: false) == nil })
        let refused = try tend("pid", "write", "context-daemon", String(unused), expect: 1)
        XCTAssertTrue(refused.stderr.contains("not running"), refused.description)
        try temp.write("home/.pids/context-daemon.pid", "\(unused)\n")   // as another tool might leave it
        XCTAssertEqual(try tend("pid", "read", "context-daemon").stdout, "\(unused)\n")
        let verify = try tend("pid", "verify", "context-daemon", expect: 1)
        XCTAssertTrue(verify.stdout.contains("STALE (pid \(unused))"), verify.description)
        XCTAssertTrue(verify.stdout.contains("not running"), verify.description)
        XCTAssertEqual(try status("context-daemon")["state"] as? String, "STALE")

        try tend("start", "commit-daemon")
        let running = try XCTUnwrap(try waitForPID("commit-daemon"))
        let info = try JSONSerializationLite.parse(try tend("pid", "verify", "commit-daemon", "--format", "json").stdout)
        XCTAssertEqual(info["verdict"] as? String, "RUNNING")
        let process = try XCTUnwrap(info["process"] as? [String: Any])
        XCTAssertEqual(process["pid"] as? Int, Int(running))
        XCTAssertEqual(process["name"] as? String, "sh")
        XCTAssertGreaterThan(process["rss_bytes"] as? Int ?? 0, 0)
        XCTAssertGreaterThanOrEqual(process["threads"] as? Int ?? 0, 1)

        let cleanup = try tend("pid", "cleanup")
        XCTAssertTrue(cleanup.stdout.contains("removed context-daemon.pid (pid \(unused))"), cleanup.description)
        XCTAssertTrue(cleanup.stdout.contains("1 stale PID file(s) removed"), cleanup.description)
        XCTAssertFalse(FileManager.default.fileExists(atPath: "\(temp.home)/.pids/context-daemon.pid"))
        XCTAssertTrue(FileManager.default.fileExists(atPath: "\(temp.home)/.pids/commit-daemon.pid"), "cleanup removed a live daemon's PID file")
        XCTAssertEqual(try tend("pid", "health").stdout.split(separator: "\n").first, "1/2 running (50%)")
    }

    func testCorruptPIDFileIsReportedNotFatal() throws {
        try temp.writeDaemons(ticker("d"))
        try FileManager.default.createDirectory(atPath: "\(temp.home)/.pids", withIntermediateDirectories: true)
        try "garbage\n".write(toFile: "\(temp.home)/.pids/d.pid", atomically: true, encoding: .utf8)
        let read = try tend("pid", "read", "d", expect: 1)
        XCTAssertTrue(read.stderr.contains("d.pid: not a PID"), read.description)
        XCTAssertEqual(try status("d")["state"] as? String, "STALE")
        XCTAssertTrue(try tend("pid", "cleanup").stdout.contains("removed d.pid"))
    }

    func testHealthSummaryAndScore() throws {
        try temp.writeDaemons(ticker("up") + ticker("down"))
        try tend("start", "up")
        XCTAssertNotNil(try waitForPID("up"))
        let table = try tend("health").stdout
        XCTAssertTrue(table.hasPrefix("1/2 healthy (50%)"), table)
        XCTAssertEqual(try tend("health", "--score").stdout, "50\n")
        let json = try JSONSerializationLite.parse(try tend("health", "--format", "json").stdout)
        XCTAssertEqual(json["percent"] as? Int, 50)
        let entries = try XCTUnwrap(json["daemons"] as? [[String: Any]])
        XCTAssertEqual(entries.map { $0["healthy"] as? Bool }, [true, false])
    }

    func testCorruptHistoryIsMovedAsideAndReported() throws {
        try temp.writeDaemons(ticker("d"))
        try FileManager.default.createDirectory(atPath: "\(temp.home)/.restarts", withIntermediateDirectories: true)
        try "{not json".write(toFile: "\(temp.home)/.restarts/d.json", atomically: true, encoding: .utf8)
        let r = try tend("history", "d")
        XCTAssertTrue(r.stderr.contains("corrupt restart history"), r.description)
        let moved = try FileManager.default.contentsOfDirectory(atPath: "\(temp.home)/.restarts").filter { $0.hasPrefix("d.json.corrupt-") }
        XCTAssertEqual(moved.count, 1, "the corrupt file must be kept, moved aside")
    }
}
