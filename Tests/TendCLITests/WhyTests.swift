import XCTest
import TendSystem
import TendTestSupport
#if canImport(Glibc)
import Glibc
#endif

/// `tend why NAME` explains the policy's decisions after real deaths.
final class WhyTests: CLITestCase {
    func testTwoKillsGiveTwoExplainedDecisions() throws {
        try temp.writeDaemons(ticker("web"))
        let pids = try startAndKill("web", with: [SIGKILL, SIGKILL])
        let (first, second) = (pids[0], pids[1])
        // The second death within the shipped policy's cooldown: the daemon waits.
        XCTAssertTrue(try Wait.until { try self.status("web")["state"] as? String == "WAITING" })

        let json = try tend("why", "web", "--format", "json")
        let object = try JSONSerializationLite.parse(json.stdout)
        XCTAssertEqual(object["daemon"] as? String, "web")
        let d = try XCTUnwrap(object["decisions"] as? [[String: Any]], json.stdout)
        XCTAssertEqual(d.count, 2, json.stdout)
        XCTAssertEqual(d.map { $0["exit"] as? String }, ["killed by SIGKILL", "killed by SIGKILL"])
        XCTAssertEqual(d.map { $0["old_pid"] as? Int }, [Int(first), Int(second)])
        XCTAssertEqual(d.map { $0["action"] as? String }, ["restart", "wait"])
        XCTAssertEqual(d.map { $0["version"] as? String }, ["current", "current"])
        XCTAssertTrue((d[0]["policy"] as? String)?.hasSuffix("/policies/restart.lua") ?? false, json.stdout)
        XCTAssertEqual(d[0]["outcome"] as? String, "restarted")
        XCTAssertEqual(d[0]["new_pid"] as? Int, Int(second), "the first decision led to the second process")
        XCTAssertEqual(d[1]["outcome"] as? String, "waiting")
        XCTAssertNotNil((d[1]["next_attempt_at"] as? String).flatMap(Clock.parseISO8601), json.stdout)
        XCTAssertNotNil((d[0]["ts"] as? String).flatMap(Clock.parseISO8601), json.stdout)
        XCTAssertTrue((d[1]["reason"] as? String)?.hasPrefix("cooldown") ?? false, json.stdout)

        let text = try tend("why", "web").stdout
        XCTAssertTrue(text.contains("restarted as PID \(second)"), text)
        XCTAssertTrue(text.contains("still waiting until"), text)
        XCTAssertTrue(text.contains("(current version)"), text)
        XCTAssertTrue(text.contains("killed by SIGKILL"), text)

        let newest = try tend("why", "web", "-n", "1", "--format", "json").stdout
        let one = try XCTUnwrap(JSONSerializationLite.parse(newest)["decisions"] as? [[String: Any]])
        XCTAssertEqual(one.map { $0["action"] as? String }, ["wait"], "-n 1 gives the newest decision")
    }

    /// A reason too long for the status table is cut there, pointing here, where it is whole.
    func testStatusPointsToWhyWhenItCutsAReason() throws {
        let long = "held because " + String(repeating: "this reason goes on and on ", count: 6) + "until the end"
        try temp.write("config/policies/restart.lua", "return { decide = function() return { action = 'stay_down', reason = '\(long)' } end }\n")
        try temp.writeDaemons(ticker("web"))
        _ = try startAndKill("web", with: [SIGKILL])
        XCTAssertTrue(try Wait.until { try self.status("web")["state"] as? String == "HELD" })
        let table = try tend("status", "web").stdout
        let row = try XCTUnwrap(table.split(separator: "\n").first { $0.hasPrefix("web ") }, table)
        XCTAssertTrue(row.hasSuffix("… (tend why web)"), table)
        XCTAssertFalse(row.contains("until the end"), table)
        let why = try tend("why", "web").stdout
        XCTAssertTrue(why.contains(long) && why.contains("still down (held by the policy)"), why)
    }

    func testNoDecisionsAndUnknownDaemon() throws {
        try temp.writeDaemons(ticker("web"))
        XCTAssertTrue(try tend("why", "web").stdout.contains("no restart decisions recorded"))
        let r = try tend("why", "nope", expect: 1)
        XCTAssertTrue(r.stderr.contains("unknown daemon: nope"), r.description)
        try tend("why", "web", "-n", "0", expect: 64)
    }
}
