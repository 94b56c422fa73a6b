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
