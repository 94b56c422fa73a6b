import XCTest
@testable import TendCore

/// `JSONValue.parse`: the values JSON text holds, and where malformed text goes wrong.
final class JSONParserTests: XCTestCase {
    func testValues() throws {
        let v = try JSONValue.parse(#" {"a": [1, -2.5, 3e2, true, false, null], "s": "x\"\\\/\n\t\u00e9\ud83d\ude00", "big": 12345678901234, "o": {}} "#)
        XCTAssertEqual(v["a"], .array([.int(1), .double(-2.5), .double(300), .bool(true), .bool(false), .null]))
        XCTAssertEqual(v["s"], .string("x\"\\/\n\té😀"))
        XCTAssertEqual(v["big"], .int(12345678901234))
        XCTAssertEqual(v["o"], .object([:]))
    }

    func testWhatWritesReadsBack() throws {
        let value = JSONValue.object(["msg": .string("line\nwith \"quotes\" and \u{1} control"), "n": .double(0.125), "list": .array([.int(-7)])])
        XCTAssertEqual(try JSONValue.parse(value.serialized()), value)
    }

    /// Doubles (epoch times with fractions, durations) read back equal; whole ones are
    /// written as integers.
    func testDoublesReadBackEqual() throws {
        var generator = SystemRandomNumberGenerator()
        var values: [Double] = [0, -0.0, 0.1, 0.1 + 0.2, 1e-7, 5e-324, 2.2250738585072014e-308, 1.7976931348623157e308, 1e15, 1e15 + 0.5,
                                9.007199254740993e15, 1796120968.5448754, 1796120972.562011, -3.25, 123456789012345.67, 1e300]
        for _ in 0..<2000 {
            values.append(Double(bitPattern: generator.next()))
            values.append(Double.random(in: 1.7e9...1.9e9))
        }
        for d in values where d.isFinite {
            for text in [JSONValue.double(d).serialized(), JSONValue.array([.double(d)]).pretty()] {
                let back = try JSONValue.parse(text)
                XCTAssertEqual((back.arrayValue?.first ?? back).doubleValue, d, text)
            }
        }
        XCTAssertEqual(JSONValue.double(1796120968).serialized(), "1796120968")
        XCTAssertEqual(JSONValue.double(2.5).serialized(), "2.5")
    }

    func testProblemsSayWhere() {
        let cases: [(String, String)] = [
            ("{\"a\": 1,}", "1:9: a ',' before '}': remove it"),
            ("[1, 2", "1:6: expected ',' or ']'"),
            ("{\"a\" 1}", "1:6: expected ':' after the key"),
            ("\"abc", "1:5: a string is not closed (missing \")"),
            ("01", "1:1: '01' is not a JSON number"),
            ("[\"\\x\"]", "1:3: '\\x' is not a JSON escape"),
            ("{}\n x", "2:2: unexpected text after the JSON value"),
        ]
        for (text, problem) in cases {
            XCTAssertEqual(JSONSyntax.firstProblem(in: text)?.description, problem, text)
        }
        XCTAssertNil(JSONSyntax.firstProblem(in: "[1, {\"a\": null}]"))
    }
}
