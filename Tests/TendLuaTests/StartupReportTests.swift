import XCTest
import TendCore
@testable import TendLua

/// The startup report's format without running anything: the seed's layout, colour only
/// when asked for, multi-line messages indented under their tag.
final class StartupReportTests: XCTestCase {
    let outcomes = [
        StepOutcome(index: 1, title: "One", status: .ok, message: "fine", durationMs: 1),
        StepOutcome(index: 2, title: "Two...", status: .warn, message: "careful\nsecond line", durationMs: 1),
        StepOutcome(index: 3, title: "Three", status: .fail, message: "x.lua:3: broke", durationMs: 1),
    ]

    func testPlainText() {
        let rule = String(repeating: "=", count: 60)
        XCTAssertEqual(StartupReport(colour: false).render(title: "T", outcomes), """
            \(rule)
            T
            \(rule)

            [1/3] One...
              [OK] fine
            [2/3] Two...
              [WARN] careful
                   second line
            [3/3] Three...
              [FAIL] x.lua:3: broke

            \(rule)
            Completed with 1 warning(s) and 1 failure(s)
            \(rule)
            """)
    }

    func testColourPaintsTheTagsAndTheVerdict() {
        let report = StartupReport(colour: true)
        XCTAssertEqual(report.resultLine(outcomes[0]), "  \u{1B}[32m[OK]\u{1B}[0m fine")
        XCTAssertEqual(report.resultLine(outcomes[2]), "  \u{1B}[31m[FAIL]\u{1B}[0m x.lua:3: broke")
        XCTAssertEqual(report.footer([outcomes[0]])[2], "\u{1B}[32mAll systems operational!\u{1B}[0m")
        XCTAssertFalse(StartupReport(colour: false).render(title: "T", outcomes).contains("\u{1B}"))
    }

    func testJSONCountsSteps() throws {
        let doc = StartupReport.json(title: "T", outcomes)
        XCTAssertEqual(doc["ok"], .bool(false), "a step failed")
        XCTAssertEqual(doc["counts"], .object(["passed": .int(1), "warnings": .int(1), "failures": .int(1)]))
        XCTAssertEqual(doc["steps"]?.arrayValue?.map { $0["status"] }, [.string("ok"), .string("warn"), .string("fail")])
    }
}
