import XCTest
import TendCore

/// Cutting a daemon's raw output into lines.
final class LoggingAssemblerTests: XCTestCase {
    func testPartialLinesWaitForTheirNewline() {
        var assembler = OutputLineAssembler()
        XCTAssertEqual(assembler.feed(Array("hel".utf8)), [])
        XCTAssertEqual(assembler.pendingByteCount, 3)
        XCTAssertEqual(assembler.feed(Array("lo\nwor".utf8)), ["hello"])
        XCTAssertEqual(assembler.feed(Array("ld\r\n\n".utf8)), ["world", ""])
        XCTAssertEqual(assembler.feed(Array("tail".utf8)), [])
        XCTAssertEqual(assembler.flush(), ["tail"])
        XCTAssertEqual(assembler.flush(), [])
    }

    func testLongLinesAreCutIntoPieces() {
        var assembler = OutputLineAssembler(maxLineBytes: 10)
        let lines = assembler.feed(Array(String(repeating: "a", count: 25).utf8) + [0x0A])
        XCTAssertEqual(lines, [String(repeating: "a", count: 10), String(repeating: "a", count: 10), "aaaaa"])
        // Without a newline the memory stays bounded: full pieces come out as they fill.
        XCTAssertEqual(assembler.feed(Array(String(repeating: "b", count: 23).utf8)).count, 2)
        XCTAssertEqual(assembler.pendingByteCount, 3)
    }

    func testDefaultLimitIs64KiB() {
        var assembler = OutputLineAssembler()
        let lines = assembler.feed([UInt8](repeating: 0x78, count: 64 * 1024 * 2 + 5) + [0x0A])
        XCTAssertEqual(lines.map(\.utf8.count), [65536, 65536, 5])
    }

    func testCutsDoNotHalveCharacters() {
        var assembler = OutputLineAssembler(maxLineBytes: 5)
        // é is two bytes; a cut at byte 5 of "aaaaéé" would split the first é.
        let lines = assembler.feed(Array("aaaaéé\n".utf8))
        XCTAssertEqual(lines, ["aaaa", "éé"])
        XCTAssertFalse(lines.joined().contains("\u{FFFD}"))
    }
}
