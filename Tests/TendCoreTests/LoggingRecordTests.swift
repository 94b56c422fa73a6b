import XCTest
@testable import TendCore
import TendSystem

/// Levels, the JSON line format, parsing back, rendering and command-line values.
final class LoggingRecordTests: XCTestCase {
    func testLevelsParseOrderAndLabel() {
        XCTAssertEqual(LogLevel(parsing: "warn"), .warning)
        XCTAssertEqual(LogLevel(parsing: "WARNING"), .warning)
        XCTAssertEqual(LogLevel(parsing: "Critical"), .critical)
        XCTAssertNil(LogLevel(parsing: "loud"))
        XCTAssertEqual(LogLevel.allCases.sorted(), [.debug, .info, .warning, .error, .critical])
        XCTAssertTrue(LogLevel.error > .warning)
        XCTAssertEqual(LogLevel.allCases.map(\.label), ["DEBUG", "INFO ", "WARN ", "ERROR", "CRIT "])
    }

    func testJSONLineKeyOrderAndRoundTrip() throws {
        let ts = 1_764_062_306.123
        let record = LogRecord(ts: ts, level: .warning, daemon: "web", msg: "disk \"low\"\nsecond",
                               fields: ["zeta": .int(1), "alpha": .string("x"), "nested": .object(["b": .bool(true)])])
        let line = record.jsonLine()
        XCTAssertEqual(line, #"{"ts":"2025-11-25T09:18:26.123Z","level":"warning","daemon":"web","msg":"disk \"low\"\nsecond","alpha":"x","nested":{"b":true},"zeta":1}"#)
        XCTAssertFalse(line.contains("\n"), "a record must stay on one line")

        let parsed = try XCTUnwrap(LogRecord.parse(line: line))
        XCTAssertEqual(parsed.level, .warning)
        XCTAssertEqual(parsed.daemon, "web")
        XCTAssertEqual(parsed.msg, record.msg)
        XCTAssertEqual(parsed.fields, record.fields)
        XCTAssertEqual(parsed.ts, ts, accuracy: 0.001)
        XCTAssertEqual(parsed.jsonLine(), line, "re-writing a parsed record must not shift its time")
    }

    func testFieldsNamedLikeLeadingKeysAreKeptAside() throws {
        let line = LogRecord(ts: 0, level: .info, daemon: "d", msg: "m", fields: ["msg": .string("mine")]).jsonLine()
        let parsed = try XCTUnwrap(LogRecord.parse(line: line))
        XCTAssertEqual(parsed.msg, "m")
        XCTAssertEqual(parsed.fields["_msg"], .string("mine"))
    }

    func testParseRejectsWhatIsNotARecord() throws {
        XCTAssertNil(LogRecord.parse(line: "plain text"))
        XCTAssertNil(LogRecord.parse(line: #"{"msg":"no level"}"#))
        XCTAssertNil(LogRecord.parse(line: #"{"level":"info"}"#))
        XCTAssertNil(LogRecord.parse(line: #"{"level":"shout","msg":"x"}"#))
        XCTAssertNil(LogRecord.parse(line: #"{"level":"info","msg":"x","ts":"yesterday"}"#))
        XCTAssertNil(LogRecord.parse(line: #"{"level":"info","msg":"x""#))
        XCTAssertNil(LogRecord.parse(line: #"[1,2]"#))

        let minimal = try XCTUnwrap(LogRecord.parse(line: #"  {"level":"WARN","msg":"x","ts":12.5,"extra":[1]}"#))
        XCTAssertEqual(minimal.level, .warning)
        XCTAssertEqual(minimal.daemon, "")
        XCTAssertEqual(minimal.ts, 12.5)
        XCTAssertEqual(minimal.fields, ["extra": .array([.int(1)])])
    }

    func testHumanRendering() {
        let ts = 1_764_062_306.123
        let record = LogRecord(ts: ts, level: .warning, daemon: "web", msg: "disk low",
                               fields: ["free_mb": .int(212), "mount": .string("/var"), "note": .string("two words")])
        let entry = LogEntry(record: record, line: record.jsonLine(), ts: ts, daemon: "web")
        XCTAssertEqual(LogRendering.human(entry, nameWidth: 6),
                       "\(LogRendering.localTimestamp(ts)) web    WARN  disk low  free_mb=212 mount=/var note=\"two words\"")
        let plain = LogEntry(record: nil, line: "not json at all", ts: ts, daemon: "web")
        XCTAssertEqual(LogRendering.human(plain), String(repeating: " ", count: 29) + " web not json at all")
        let stamp = LogRendering.localTimestamp(ts)
        XCTAssertTrue(stamp.range(of: #"^2025-11-2\dT\d\d:\d\d:26\.123(Z|[+-]\d\d:\d\d)$"#, options: .regularExpression) != nil, stamp)
    }

    func testCommandLineValues() {
        XCTAssertEqual(JSONValue(commandLineValue: "3"), .int(3))
        XCTAssertEqual(JSONValue(commandLineValue: "-2"), .int(-2))
        XCTAssertEqual(JSONValue(commandLineValue: "1.5"), .double(1.5))
        XCTAssertEqual(JSONValue(commandLineValue: "1e3"), .double(1000))
        XCTAssertEqual(JSONValue(commandLineValue: "true"), .bool(true))
        XCTAssertEqual(JSONValue(commandLineValue: "false"), .bool(false))
        XCTAssertEqual(JSONValue(commandLineValue: "007"), .string("007"))
        XCTAssertEqual(JSONValue(commandLineValue: "0.5"), .double(0.5))
        XCTAssertEqual(JSONValue(commandLineValue: "nan"), .string("nan"))
        XCTAssertEqual(JSONValue(commandLineValue: "inf"), .string("inf"))
        XCTAssertEqual(JSONValue(commandLineValue: "True"), .string("True"))
        XCTAssertEqual(JSONValue(commandLineValue: ""), .string(""))
        XCTAssertEqual(JSONValue.commandLineField("a=b=c")?.key, "a")
        XCTAssertEqual(JSONValue.commandLineField("a=b=c")?.value, .string("b=c"))
        XCTAssertNil(JSONValue.commandLineField("=x"))
        XCTAssertNil(JSONValue.commandLineField("novalue"))
    }

    func testRotationOptionsFromEnvironment() {
        XCTAssertEqual(RotationOptions.fromEnvironment(Environment([:])), .default)
        XCTAssertEqual(RotationOptions.default.maxBytes, 10 * 1024 * 1024)
        XCTAssertEqual(RotationOptions.default.backups, 5)
        let small = RotationOptions.fromEnvironment(Environment(["TEND_LOG_MAX_BYTES": "4k", "TEND_LOG_BACKUPS": "3"]))
        XCTAssertEqual(small, RotationOptions(maxBytes: 4096, backups: 3))
        XCTAssertEqual(RotationOptions.fromEnvironment(Environment(["TEND_LOG_MAX_BYTES": "2MiB"])).maxBytes, 2 << 20)
        XCTAssertEqual(RotationOptions.fromEnvironment(Environment(["TEND_LOG_MAX_BYTES": "1000"])).maxBytes, 1000)
        XCTAssertEqual(RotationOptions.fromEnvironment(Environment(["TEND_LOG_MAX_BYTES": "lots", "TEND_LOG_BACKUPS": "-1"])), .default)
    }
}
