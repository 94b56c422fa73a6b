import XCTest
@testable import TendCore

final class NearestNameTests: XCTestCase {
    let commands = ["start", "stop", "restart", "status", "monitor", "reload", "pid", "health", "history", "logs", "startup"]

    func testTyposFindTheIntendedName() {
        XCTAssertEqual(NearestName.suggest("stauts", among: commands), "status")
        XCTAssertEqual(NearestName.suggest("strat", among: commands), "start")
        XCTAssertEqual(NearestName.suggest("lgos", among: commands), "logs")
        XCTAssertEqual(NearestName.suggest("histroy", among: commands), "history")
        XCTAssertEqual(NearestName.suggest("restat", among: commands), "restart")
    }

    func testNothingCloseMeansNoSuggestion() {
        XCTAssertNil(NearestName.suggest("frobnicate", among: commands))
        XCTAssertNil(NearestName.suggest("x", among: commands))
        XCTAssertNil(NearestName.suggest("status", among: ["status"]), "the word itself is no suggestion")
    }

    func testDistanceCountsASwapAsOneEdit() {
        XCTAssertEqual(NearestName.distance("ab", "ba"), 1)
        XCTAssertEqual(NearestName.distance("", "abc"), 3)
        XCTAssertEqual(NearestName.distance("kitten", "sitting"), 3)
    }
}
