import XCTest
@testable import TendCore
import TendSystem

/// The policy-hit record: what the monitor writes, read back the same; and what
/// `tend why` concludes from it with the history and the record.
final class PolicyHitTests: XCTestCase {
    let t = 1_800_000_000.0

    func hit(_ action: RestartDecision.Action, at ts: Double, oldPID: Int32 = 41, newPID: Int32? = nil,
             version: RestartDecision.Version = .current) -> PolicyHit {
        let exit = ExitInfo(cause: .killed, signal: 9, at: ts, uptime: 12.5, pid: oldPID)
        let decision = RestartDecision(action, reason: "because", policy: "/p/restart.lua", version: version,
                                       problem: version == .current ? nil : "/p/restart.lua:3: boom")
        return PolicyHit(ts: ts, daemon: "web", exit: exit, decision: decision, newPID: newPID)
    }

    func testRecordRoundTripsThroughALogLine() throws {
        for h in [hit(.restartNow, at: t, newPID: 42), hit(.restartAfter(seconds: 50), at: t, version: .lastGood),
                  hit(.stayDown, at: t, version: .fallback)] {
            let line = h.record.jsonLine()
            let back = try XCTUnwrap(LogRecord.parse(line: line).flatMap(PolicyHit.init(record:)), line)
            XCTAssertEqual(back, h, line)
            XCTAssertEqual(DaemonLogger.destinations(of: h.record), [.daemon, .policyHits])
        }
        let fields = hit(.restartAfter(seconds: 50), at: t).record.fields
        XCTAssertEqual(fields["action"], .string("wait"))
        XCTAssertEqual(fields["delay"], .double(50))
        XCTAssertEqual(fields["signal"], .string("SIGKILL"), "signals are names, as in Lua")
        XCTAssertEqual(fields["exit"], .string("killed by SIGKILL"))
        XCTAssertEqual(fields["uptime"], .double(12.5))
        XCTAssertEqual(fields["old_pid"], .int(41))
        XCTAssertEqual(fields["version"], .string("current"))
        XCTAssertNil(fields["new_pid"])
    }

    func testOtherPolicyHitsAreNotDecisions() {
        // A plugin's own tend.log.policy_hit names no death.
        let plugin = LogRecord(level: .info, daemon: "failure-prevention-daemon", msg: "rule",
                               fields: ["type": .string("policy_hit"), "policy": .string("rules"), "action": .string("new rule")])
        XCTAssertNil(PolicyHit(record: plugin))
    }

    func testLoadKeepsOneDaemonsNewestDecisionsAcrossRotation() throws {
        let dir = try LoggingTempDir()
        defer { dir.remove(); LogFileRegistry.shared.closeAll() }
        try dir.home.prepare()
        let logger = DaemonLogger(home: dir.home, daemon: "x", rotation: RotationOptions(maxBytes: 600, backups: 5))
        for i in 0..<6 {
            var h = hit(.restartNow, at: t + Double(i), oldPID: Int32(100 + i))
            h.daemon = i % 2 == 0 ? "web" : "db"
            try logger.write(h.record)
        }
        XCTAssertTrue(FileSystem.exists(RotatingLogFile.backupPath(dir.home.policyHitsLog, 1)), "the test needs a rotated file")
        let loaded = try PolicyHit.load(dir.home, daemon: "web", count: 2)
        XCTAssertEqual(loaded.map(\.exit.pid), [102, 104], "the newest two of web, oldest first")
    }

    // MARK: What followed a decision

    func event(_ time: Double, old: Int32 = 41, new: Int32? = 42, success: Bool = true, manual: Bool = false) -> RestartEvent {
        RestartEvent(time: time, reason: "killed by SIGKILL", oldPID: old, newPID: new, success: success, manual: manual,
                     error: success ? nil : "no such file")
    }

    func outcome(_ h: PolicyHit, next: PolicyHit? = nil, _ events: [RestartEvent] = [], record: DaemonRecord? = nil) -> DecisionExplanation.Outcome {
        DecisionExplanation.outcome(of: h, next: next, history: RestartHistory(events: events), record: record)
    }

    func testOutcomes() {
        XCTAssertEqual(outcome(hit(.restartNow, at: t, newPID: 42)), .restarted(pid: 42, at: t))
        XCTAssertEqual(outcome(hit(.restartNow, at: t), [event(t + 0.002, new: 43)]), .restarted(pid: 43, at: t + 0.002))
        XCTAssertEqual(outcome(hit(.restartNow, at: t), [event(t, success: false)]), .restartFailed(error: "no such file", at: t))
        XCTAssertEqual(outcome(hit(.restartNow, at: t), [event(t, manual: true)]), .notRestarted("no restart was recorded"),
                       "a manual restart is not what the decision led to")

        let wait = hit(.restartAfter(seconds: 50), at: t)
        XCTAssertEqual(outcome(wait, [event(t + 50, new: 44)]), .restarted(pid: 44, at: t + 50))
        XCTAssertEqual(outcome(wait, [event(t + 50, old: 7)]), .notRestarted("no automatic restart followed (started by hand, or no monitor ran when it was due)"),
                       "another process's restart")
        var waiting = DaemonRecord(name: "web", wanted: .up)
        waiting.nextAttemptAt = t + 50
        XCTAssertEqual(outcome(wait, record: waiting), .waiting(until: t + 50))
        XCTAssertEqual(outcome(wait, next: hit(.restartNow, at: t + 99), record: waiting),
                       .notRestarted("no automatic restart followed (started by hand, or no monitor ran when it was due)"),
                       "only the newest decision can still be waiting")
        XCTAssertEqual(outcome(wait, [event(t + 120)], record: nil), .restarted(pid: 42, at: t + 120))
        XCTAssertEqual(outcome(wait, next: hit(.restartNow, at: t + 100), [event(t + 120)]),
                       .notRestarted("no automatic restart followed (started by hand, or no monitor ran when it was due)"),
                       "a restart after the next decision belongs to that one")
        XCTAssertEqual(outcome(wait, record: DaemonRecord(name: "web", wanted: .down)),
                       .notRestarted("stopped by hand (tend stop) before the restart was due"))

        var held = DaemonRecord(name: "web", wanted: .up)
        held.heldDownReason = "because"
        XCTAssertEqual(outcome(hit(.stayDown, at: t), [event(t + 1)], record: held), .heldDown)
        XCTAssertEqual(outcome(hit(.stayDown, at: t), next: hit(.restartNow, at: t + 9), record: held), .stayedDown)
    }
}

final class JSONSyntaxTests: XCTestCase {
    func testFirstProblemNamesLineAndColumn() {
        XCTAssertNil(JSONSyntax.firstProblem(in: #" [ {"a": 1.5e3, "b": [true, false, null, "x\"y"]}, -2 ] "#))
        let cases: [(String, Int, Int, String)] = [
            ("[1,\n 2 3]", 2, 4, "expected ',' or ']'"),
            ("{\"a\": 1,}", 1, 9, "a ',' before '}': remove it"),
            ("[{a: 1}]", 1, 3, "expected a key in double quotes"),
            ("[\"open", 1, 7, "a string is not closed"),
            ("[01]", 1, 2, "'01' is not a JSON number"),
            ("[1.]", 1, 2, "'1.' is not a JSON number"),
            ("", 1, 1, "the text ends where a value was expected"),
            ("[1] 2", 1, 5, "unexpected text after the JSON value"),
            ("[tru]", 1, 2, "expected a value"),
        ]
        for (text, line, column, message) in cases {
            let p = JSONSyntax.firstProblem(in: text)
            XCTAssertEqual(p?.line, line, text)
            XCTAssertEqual(p?.column, column, text)
            XCTAssertTrue(p?.message.hasPrefix(message) ?? false, "\(text): \(String(describing: p))")
        }
    }
}
