import XCTest
import TendSystem
import TendTestSupport
#if canImport(Glibc)
import Glibc
#endif

/// A copy of a record (to policy-hits.log) fails while the daemon's log took it: the
/// monitor keeps trying the copy, and never writes the record into the daemon's log again.
final class LogRetryTests: CLITestCase {
    func testARecordWhoseCopyFailedIsInTheDaemonLogOnce() throws {
        // A directory where policy-hits.log belongs: every open of it fails (EISDIR), as on
        // a full disk, while the daemon's own log is written.
        let hits = "\(temp.home)/logs/policy-hits.log"
        try FileSystem.makeDirectory(hits, mode: 0o700)
        // Exits once (a policy hit: restart), then runs.
        let ran = "\(temp.root)/ran"
        try temp.writeDaemons(daemon("a", "if [ -e \(ran) ]; then exec sleep 1000; fi; touch \(ran); exit 3"))
        try tend("start", "a", expect: nil)
        let log = "\(temp.home)/logs/daemons/a.log"
        func lines() -> [String] {
            ((try? FileSystem.readTextIfPresent(log)) ?? "").split(separator: "\n").map(String.init)
        }
        XCTAssertTrue(Wait.until(timeout: 30) { lines().contains { $0.contains("\"policy_hit\"") } },
                      "no policy hit in a.log:\n\(lines().joined(separator: "\n"))")
        XCTAssertNotNil(try waitForPID("a"))
        // Each command wakes the monitor, and each wake-up tries the owed copy again.
        for _ in 0..<3 { try tend("status", "a", expect: nil) }
        XCTAssertEqual(rmdir(hits), 0)
        XCTAssertTrue(Wait.until(timeout: 15) {
            ((try? FileSystem.readTextIfPresent(hits)) ?? "").contains("\"policy_hit\"")
        }, "the owed copy never reached policy-hits.log")
        let all = lines()
        XCTAssertEqual(all.filter { $0.contains("\"policy_hit\"") }.count, 1, all.joined(separator: "\n"))
        XCTAssertEqual(Set(all).count, all.count, "records written twice into a.log:\n\(all.joined(separator: "\n"))")
        let copies = ((try? FileSystem.readTextIfPresent(hits)) ?? "").split(separator: "\n")
        XCTAssertEqual(copies.count, 1, copies.joined(separator: "\n"))
    }
}
