import XCTest
import TendSystem
import TendTestSupport
@testable import TendCore

final class LogViewTests: XCTestCase {
    private var scratch: ScratchDirectory!
    private var dir: String { scratch.path }

    override func setUpWithError() throws {
        scratch = try ScratchDirectory("logview")
    }

    override func tearDown() {
        scratch?.remove()
    }

    private func write(_ name: String, _ records: [(Double, String)], extra: [String] = []) throws -> LogSource {
        let lines = records.map { LogRecord(ts: $0.0, level: .info, daemon: name, msg: $0.1).jsonLine() } + extra
        try FileSystem.writeAtomically("\(dir)/\(name).log", text: lines.joined(separator: "\n") + "\n")
        return LogSource(label: name, path: "\(dir)/\(name).log")
    }

    func testLinesOfSeveralLogsAreInterleavedByTime() throws {
        let a = try write("a", [(100, "a1"), (102, "a2"), (105, "a3")])
        let b = try write("b", [(101, "b1"), (103, "b2"), (104, "b3")])
        let view = LogView(sources: [a, b])
        XCTAssertEqual(try view.last(100).map { $0.record?.msg }, ["a1", "b1", "a2", "b2", "b3", "a3"])
        XCTAssertEqual(try view.last(2).map { $0.record?.msg }, ["b3", "a3"], "the last N overall")
        XCTAssertEqual(try view.last(100).map(\.daemon), ["a", "b", "a", "b", "b", "a"])
    }

    func testEachFileKeepsItsOwnOrderAndTiesGoToTheFirstSource() throws {
        // A daemon that printed records with its own (earlier) times: they stay where it wrote them.
        let a = try write("a", [(100, "a1"), (90, "a-own-time"), (110, "a2")])
        let b = try write("b", [(100, "b1"), (105, "b2")])
        XCTAssertEqual(try LogView(sources: [a, b]).last(100).map { $0.record?.msg }, ["a1", "a-own-time", "b1", "b2", "a2"])
    }

    func testSinceAndLevelFilter() throws {
        let a = try write("a", [(100, "old"), (200, "new"), (300, "newer")])
        XCTAssertEqual(try LogView(sources: [a], filter: LogFilter(since: 150)).last(.max).map { $0.record?.msg }, ["new", "newer"])
        let levels = LogView(sources: [a], filter: LogFilter(minimum: .warning))
        XCTAssertEqual(try levels.last(100), [])
    }

    func testALineThatIsNoRecordTakesTheTimeBeforeIt() throws {
        let a = try write("a", [(100, "a1")], extra: ["plain text"])
        let entries = try LogView(sources: [a]).last(10)
        XCTAssertEqual(entries.map(\.ts), [100, 100])
        XCTAssertNil(entries[1].record)
        XCTAssertEqual(entries[1].asRecord.msg, "plain text")
        XCTAssertEqual(entries[1].asRecord.daemon, "a")
    }

    func testFollowingReturnsNewLinesOfEverySource() throws {
        let a = try write("a", [(100, "a1")])
        let b = LogSource(label: "b", path: "\(dir)/b.log")   // not there yet
        let view = LogView(sources: [a, b])
        XCTAssertEqual(try view.follow(last: 5).map { $0.record?.msg }, ["a1"])
        XCTAssertEqual(try view.poll(), [])
        let writer = RotatingLogFile(path: b.path)
        try writer.append(line: LogRecord(ts: 200, level: .info, daemon: "b", msg: "b1").jsonLine())
        try RotatingLogFile(path: a.path).append(line: LogRecord(ts: 199, level: .info, daemon: "a", msg: "a2").jsonLine())
        XCTAssertEqual(try view.poll().map { $0.record?.msg }, ["a2", "b1"])
    }
}
