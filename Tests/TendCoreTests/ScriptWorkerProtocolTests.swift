import XCTest
import TendSystem
@testable import TendCore
#if canImport(Glibc)
import Glibc
#endif

/// The messages of docs/design/script-worker.md: each survives a round trip, and the
/// JSON uses the keys and words the contract gives.
final class ScriptWorkerProtocolTests: XCTestCase {
    func roundTrip<T: JSONCodable & Equatable>(_ value: T, file: StaticString = #filePath, line: UInt = #line) throws -> String {
        let bytes = ScriptWorkerCoding.line(value)
        XCTAssertEqual(bytes.last, UInt8(ascii: "\n"), file: file, line: line)
        XCTAssertEqual(bytes.filter { $0 == UInt8(ascii: "\n") }.count, 1, "one message, one line", file: file, line: line)
        let text = String(decoding: bytes.dropLast(), as: UTF8.self)
        XCTAssertEqual(try ScriptWorkerCoding.decode(T.self, from: text), value, file: file, line: line)
        return text
    }

    let spec = DaemonSpec(name: "web", run: .command(["/bin/web", "--flag\nwith a newline"]),
                          health: .inline(key: "web@/c/daemons.lua:3", arguments: ["timeout": .int(2)]), declaredAt: "/c/daemons.lua:3")

    func testRequests() throws {
        XCTAssertEqual(try roundTrip(ScriptWorkerRequest.load(id: 1)), #"{"id":1,"op":"load"}"#, "preload and skip only when not the default")
        let lean = try roundTrip(ScriptWorkerRequest.load(id: 5, preload: false, skip: ["/c/policies/blocks.lua"]))
        XCTAssertTrue(lean.contains(#""preload":false"#) && lean.contains(#""skip":["#) && lean.contains("blocks.lua"), lean)
        let exit = ExitInfo(cause: .killed, signal: 9, at: 10, uptime: 3, pid: 77)
        let history = [RestartEvent(time: 5.25, reason: "killed by SIGKILL", oldPID: 1, newPID: 2, success: true, manual: true)]
        let decide = try roundTrip(ScriptWorkerRequest.decide(id: 2, daemon: spec, exit: exit, history: history, now: 10.5))
        XCTAssertTrue(decide.contains(#""op":"decide""#) && decide.contains(#""timestamp""#), decide)
        let check = try roundTrip(ScriptWorkerRequest.check(id: 3, daemon: spec, pid: 1234))
        XCTAssertTrue(check.contains(#""pid":1234"#), check)
        XCTAssertThrowsError(try ScriptWorkerCoding.decode(ScriptWorkerRequest.self, from: #"{"id":4,"op":"reboot"}"#))
    }

    func testReplies() throws {
        let state = ScriptState(file: "/p/restart.lua", line: 14, kind: .policy, message: "boom", inForce: .lastGood)
        let decide = try roundTrip(DecideReply(id: 2, decision: PolicyDecision(action: .stayDown, delay: nil, reason: "r", policy: "/p/restart.lua", version: .lastGood),
                                               scripts: [state]))
        for fragment in [#""action":"stay_down""#, #""version":"last_good""#, #""in_force":"last_good""#, #""ok":true"#] {
            XCTAssertTrue(decide.contains(fragment), "\(fragment) in \(decide)")
        }
        let check = try roundTrip(CheckReply(id: 3, health: HealthResult(.unknown, reason: "timed out", at: 1), scripts: []))
        XCTAssertTrue(check.contains(#""state":"unknown""#), check)
        let load = try roundTrip(LoadReply(id: 1, ok: true, file: "/c/daemons.lua", specs: [spec], checks: ["web": CheckSettings(interval: nil, timeout: 2)],
                                           problems: [ScriptProblem(file: "/c/daemons.lua", line: 1, message: "x")], scripts: []))
        XCTAssertTrue(load.contains(#""checks":{"web":{"timeout":2}}"#), load)
        XCTAssertTrue(try roundTrip(FailedReply(id: 0, error: "not a request")).contains(#""ok":false"#))
    }

    func testAReplyBecomesTheMonitorsDecisionWithItsLabel() {
        let fallback = PolicyDecision(action: .wait, delay: 30, reason: "rate limit", policy: "/p/mine.lua", version: .fallback)
        let decided = fallback.restartDecision(problem: "/p/mine.lua:3: boom")
        XCTAssertEqual(decided, RestartDecision(.restartAfter(seconds: 30), reason: "rate limit", policy: "/p/mine.lua",
                                                version: .fallback, problem: "/p/mine.lua:3: boom"))
        XCTAssertEqual(decided.source, "built-in (fallback: /p/mine.lua:3: boom)")
        let current = PolicyDecision(RestartDecision(.restartNow, reason: "ok", policy: "/p/restart.lua"))
        XCTAssertEqual(current.restartDecision(), RestartDecision(.restartNow, reason: "ok", policy: "/p/restart.lua"))
    }

    /// Records written before health results had a state still load.
    func testOldHealthRecordsDecode() throws {
        let decode = { try RecordCoding.decode(HealthResult.self, from: $0) }
        XCTAssertEqual(try decode(#"{"ok":true,"reason":"r","check_error":false,"at":1}"#).state, .healthy)
        XCTAssertEqual(try decode(#"{"ok":false,"reason":"r","check_error":true,"at":1}"#).state, .unknown)
        XCTAssertEqual(try decode(#"{"ok":false,"reason":"r","at":1}"#).state, .unhealthy)
        XCTAssertEqual(RecordCoding.encode(HealthResult(.healthy, reason: "r", at: 1)).contains("check_error"), false)
    }

    func testTheLocationFileLayout() throws {
        let path = "/tmp/tend-location-\(getpid())"
        defer { unlink(path) }
        var bytes = [UInt8](repeating: 0, count: WorkerLocation.size)
        withUnsafeBytes(of: UInt64(0x0102_0304).littleEndian) { for (i, b) in $0.enumerated() { bytes[i] = b } }
        for (i, b) in "/p/restart.lua:14".utf8.enumerated() { bytes[WorkerLocation.locationOffset + i] = b }
        try FileSystem.writeAtomically(path, bytes)
        let read = try XCTUnwrap(WorkerLocation.read(path))
        XCTAssertEqual(read.requestID, 0x0102_0304)
        XCTAssertEqual(read.location, "/p/restart.lua:14")
    }
}
