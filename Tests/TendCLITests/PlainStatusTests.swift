import XCTest
import TendTestSupport
@testable import tend

/// `tend status` before the argument parser: the plain forms are taken, everything else
/// is left to the parser (which says what is wrong).
final class PlainStatusTests: CLITestCase {
    func parse(_ words: String...) -> PlainStatus.Request? { PlainStatus.parse(ArraySlice(words)) }

    func testThePlainFormsAreTaken() {
        XCTAssertEqual(parse(), PlainStatus.Request())
        XCTAssertEqual(parse("--format", "json", "a", "b"), PlainStatus.Request(format: .json, names: ["a", "b"]))
        XCTAssertEqual(parse("--format=table", "--home=/h", "--config-dir", "/c"),
                       PlainStatus.Request(format: .table, home: "/h", configDir: "/c"))
    }

    func testAnythingElseIsLeftToTheParser() {
        XCTAssertNil(parse("--help"))
        XCTAssertNil(parse("-h"))
        XCTAssertNil(parse("--format", "yaml"))
        XCTAssertNil(parse("--format"))
        XCTAssertNil(parse("--verbose", "x"))
    }

    func testTheParserStillSaysWhatIsWrong() throws {
        let r = try tend("status", "--format", "yaml", expect: 64)
        XCTAssertTrue(r.stderr.contains("yaml"), r.description)
        XCTAssertTrue(try tend("status", "--help").stdout.contains("--format"))
    }
}
