import XCTest
import TendCore

/// The decisions a restarted log writer takes from its predecessor's last commit record,
/// one table row per situation a SIGKILL can leave behind.
final class CommitRecoveryTests: XCTestCase {
    typealias E = CommitRecovery.Evidence

    func record(_ phase: CommitRecord.Phase, reports: Bool = false, counted: Bool = true) -> CommitRecord {
        var r = CommitRecord()
        r.phase = phase
        r.sourceLength = 100
        r.dropped = 5
        r.reportsDropped = reports
        r.counted = counted
        return r
    }

    func testDecisions() {
        let rows: [(String, CommitRecord, E, CommitRecovery.Action, Int)] = [
            ("nothing in flight", record(.idle), E(samePipe: true, taken: 0, pipeContinues: true), .none, 5),
            // A write whose records are in the log: only the taking may be unfinished.
            ("written, nothing taken", record(.write), E(samePipe: true, taken: 0, pipeContinues: true, log: .whole), .take(100), 5),
            ("written, partly taken", record(.write), E(samePipe: true, taken: 40, pipeContinues: true), .take(60), 5),
            ("written and taken", record(.write), E(samePipe: true, taken: 100, pipeContinues: false), .none, 5),
            ("written, pipe replaced", record(.write), E(samePipe: false, taken: 0, pipeContinues: false, log: .whole),
             .forget("the pipe was replaced; its 100 bytes are already logged"), 5),
            ("partly taken, other bytes at the head", record(.write), E(samePipe: true, taken: 40, pipeContinues: false),
             .forget("the pipe was replaced; its 60 bytes are already logged"), 5),
            // A write that did not (wholly) reach the log: nothing was taken.
            ("not written", record(.write), E(samePipe: true, taken: 0, pipeContinues: true, log: .absent), .redo, 5),
            ("not written, pipe gone", record(.write), E(samePipe: false, taken: 0, pipeContinues: false, log: .absent),
             .forget("the pipe was replaced: 100 bytes of output never reached the log"), 5),
            ("not written, other bytes at the head", record(.write), E(samePipe: true, taken: 0, pipeContinues: false, log: .absent),
             .forget("the pipe was replaced: 100 bytes of output never reached the log"), 5),
            ("log rotated away", record(.write), E(samePipe: true, taken: 0, pipeContinues: true, log: .fileGone), .redo, 5),
            ("written by another version", record(.write), E(samePipe: true, taken: 0, pipeContinues: true, log: .unknown), .redo, 5),
            ("torn, nothing after it", record(.write),
             E(samePipe: true, taken: 0, pipeContinues: true, log: .torn(lines: 2, sourceBytes: 30, keepEnd: 900, isLast: true)),
             .keepTorn(take: 30, truncateTo: 900), 5),
            ("torn, another writer appended", record(.write),
             E(samePipe: true, taken: 0, pipeContinues: true, log: .torn(lines: 2, sourceBytes: 30, keepEnd: 900, isLast: false)),
             .keepTorn(take: 30, truncateTo: nil), 5),
            // The report of dropped lines: owed until a write holding it is in the log.
            ("report written", record(.write, reports: true), E(samePipe: true, taken: 0, pipeContinues: true, log: .whole), .take(100), 0),
            ("report not written", record(.write, reports: true), E(samePipe: true, taken: 0, pipeContinues: true, log: .absent), .redo, 5),
            ("report torn off", record(.write, reports: true),
             E(samePipe: true, taken: 0, pipeContinues: true, log: .torn(lines: 0, sourceBytes: 0, keepEnd: 0, isLast: true)),
             .keepTorn(take: 0, truncateTo: 0), 5),
            ("report kept, lines torn", record(.write, reports: true),
             E(samePipe: true, taken: 0, pipeContinues: true, log: .torn(lines: 1, sourceBytes: 0, keepEnd: 200, isLast: true)),
             .keepTorn(take: 0, truncateTo: 200), 0),
            // Dropping (the log could not be written): finish taking what was being dropped.
            ("dropping, nothing taken", record(.drop), E(samePipe: true, taken: 0, pipeContinues: true), .take(100), 5),
            ("dropped", record(.drop), E(samePipe: true, taken: 100, pipeContinues: false), .none, 5),
            ("dropping without a tally", record(.drop, counted: false), E(samePipe: true, taken: 0, pipeContinues: true), .none, 5),
            ("dropping, pipe gone", record(.drop), E(samePipe: false, taken: 0, pipeContinues: false),
             .forget("the pipe was replaced; 100 bytes were being dropped"), 5),
        ]
        for (name, r, evidence, action, owed) in rows {
            let decision = CommitRecovery.decide(r, evidence)
            XCTAssertEqual(decision.action, action, name)
            XCTAssertEqual(decision.owed, owed, name)
        }
    }

    func testComparingWhatTheFileHolds() {
        // A write that starts with a newline (the file ended in a torn line) and holds two
        // records made from 10 and 20 bytes of the pipe.
        let expected = Array("\nAB\nCD\n".utf8)
        func compare(_ found: String, size: Int64? = nil) -> CommitRecovery.LogEvidence {
            CommitRecovery.compare(expected: expected, recordEnds: [4, 7], sourceEnds: [10, 20], found: Array(found.utf8),
                                   offset: 1000, fileSize: size ?? 1000 + Int64(found.utf8.count))
        }
        XCTAssertEqual(compare("\nAB\nCD\n"), .whole)
        XCTAssertEqual(compare(""), .absent)
        XCTAssertEqual(compare("other"), .absent)
        XCTAssertEqual(compare("\nAB\nC"), .torn(lines: 1, sourceBytes: 10, keepEnd: 1004, isLast: true))
        XCTAssertEqual(compare("\nAB\nC", size: 1100), .torn(lines: 1, sourceBytes: 10, keepEnd: 1004, isLast: false))
        XCTAssertEqual(compare("\nAB\nX"), .torn(lines: 1, sourceBytes: 10, keepEnd: 1004, isLast: false))
        XCTAssertEqual(compare("\nA"), .torn(lines: 0, sourceBytes: 0, keepEnd: 1000, isLast: true))
    }
}
