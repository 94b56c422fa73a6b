import XCTest
@testable import TendCore

/// The records captured lines become: the same as `LogRecord.jsonLine()` would write,
/// tagged with their stream, and identical every time they are made from the same bytes.
final class CaptureEncoderTests: XCTestCase {
    let ts = 1_764_063_000.125

    func encode(_ text: String, stream: CaptureStream = .stdout, takeTail: Bool = true) -> [String] {
        let bytes = Array(text.utf8)
        return bytes.withUnsafeBufferPointer { buf in
            let encoder = CaptureEncoder(daemon: "web.v2", stream: stream)
            return encoder.records(LineSegmenter.split(buf, takeTail: takeTail), of: buf, at: ts)
                .map { String(decoding: $0.bytes, as: UTF8.self) }
        }
    }

    func testPlainLinesAreInfoRecordsWithTheirStream() {
        let expected = LogRecord(ts: ts, level: .info, daemon: "web.v2", msg: "a \"quoted\"\ttab \u{1}\\ é \u{FFFD}",
                                 fields: ["stream": .string("stderr")]).jsonLine() + "\n"
        XCTAssertEqual(encode("a \"quoted\"\ttab \u{1}\\ é \u{FFFD}\r\n", stream: .stderr), [expected])
    }

    func testAPieceOfALineIsMarkedPartial() {
        let expected = LogRecord(ts: ts, level: .info, daemon: "web.v2", msg: "prompt> ",
                                 fields: ["stream": .string("stdout"), "partial": .bool(true)]).jsonLine() + "\n"
        XCTAssertEqual(encode("prompt> "), [expected])
    }

    func testARecordLineKeepsItsLevelAndGetsAStream() throws {
        let lines = encode("{\"level\":\"error\",\"msg\":\"boom\",\"code\":3}\n")
        let record = try XCTUnwrap(LogRecord.parse(line: String(lines[0].dropLast())))
        XCTAssertEqual(record.level, .error)
        XCTAssertEqual(record.daemon, "web.v2")
        XCTAssertEqual(record.ts, ts, accuracy: 0.001)
        XCTAssertEqual(record.fields["stream"], .string("stdout"))
        XCTAssertEqual(record.fields["code"], .int(3))
        let bytes = Array("{\"level\":\"error\",\"msg\":\"boom\"}\n".utf8)
        let copies = bytes.withUnsafeBufferPointer { buf in
            CaptureEncoder(daemon: "web.v2", stream: .stdout).record(LineSegment(start: 0, end: buf.count, complete: true), of: buf, at: ts).alsoTo
        }
        XCTAssertEqual(copies, [.health])
    }

    func testTheSameBytesGiveTheSameRecords() {
        let text = "one\n{\"level\":\"warning\",\"msg\":\"w\"}\nthree\u{1}\npart"
        XCTAssertEqual(encode(text), encode(text))
    }
}
