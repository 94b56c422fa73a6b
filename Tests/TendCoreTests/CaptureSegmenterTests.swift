import XCTest
import TendCore

/// How captured bytes become records: lines, pieces of long lines, a line still being
/// written, and the property recovery depends on — cutting the bytes of the first
/// segments again gives the same segments.
final class CaptureSegmenterTests: XCTestCase {
    func segments(_ text: [UInt8], limit: Int = 8, takeTail: Bool = false) -> [LineSegment] {
        text.withUnsafeBufferPointer { LineSegmenter.split($0, limit: limit, takeTail: takeTail) }
    }

    func pieces(_ text: String, limit: Int = 8, takeTail: Bool = false) -> [String] {
        let bytes = Array(text.utf8)
        return segments(bytes, limit: limit, takeTail: takeTail)
            .map { String(decoding: bytes[$0.start..<$0.end], as: UTF8.self) + ($0.complete ? "" : "|") }
    }

    func testTable() {
        let cases: [(String, Bool, [String])] = [
            ("", false, []),
            ("a\nb\n", false, ["a\n", "b\n"]),
            ("a\nb", false, ["a\n"]),                             // the tail waits
            ("a\nb", true, ["a\n", "b|"]),                        // ... unless it waited long enough
            ("\n\n", false, ["\n", "\n"]),                        // empty lines are lines
            ("12345678\n", false, ["12345678\n"]),                // exactly the limit: one record
            ("123456789\n", false, ["12345678|", "9\n"]),         // one more: cut
            ("1234567812345678x\n", false, ["12345678|", "12345678|", "x\n"]),
            ("12345678", false, []),                              // a tail of exactly the limit waits
            ("123456789", false, ["12345678|"]),                  // more than the limit: cut, the rest waits
            ("123456789", true, ["12345678|", "9|"]),
        ]
        for (input, takeTail, expected) in cases {
            XCTAssertEqual(pieces(input, takeTail: takeTail), expected, "\(input.debugDescription) takeTail \(takeTail)")
        }
    }

    func testCutsBackToACharacterStart() {
        // "1234567é…": é is two bytes at offsets 7-8; a cut at 8 would halve it.
        XCTAssertEqual(pieces("1234567éabc\n"), ["1234567|", "éabc\n"])
        XCTAssertEqual(pieces("1234567€0\n"), ["1234567|", "€0\n"])
    }

    /// Recovery cuts the bytes a batch took (its first segments) again, with the tail
    /// taken: it must get the same segments, whatever the bytes and wherever the batch
    /// stopped.
    func testCuttingAPrefixAgainGivesTheSameSegments() {
        var generator = SystemRandomNumberGenerator()
        let alphabet: [UInt8] = Array("ab\n\n€é".utf8) + [0xff, 0x80]
        for _ in 0..<3000 {
            let bytes = (0..<Int.random(in: 0...60, using: &generator)).map { _ in alphabet.randomElement(using: &generator)! }
            let limit = Int.random(in: 4...10, using: &generator)
            let all = segments(bytes, limit: limit, takeTail: Bool.random(using: &generator))
            for count in 0...all.count {
                let end = count == 0 ? 0 : all[count - 1].end
                let again = segments(Array(bytes[0..<end]), limit: limit, takeTail: true)
                XCTAssertEqual(again, Array(all.prefix(count)), "bytes \(bytes) limit \(limit) first \(count)")
            }
        }
    }
}
