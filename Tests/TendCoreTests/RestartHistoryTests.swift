import XCTest
@testable import TendCore

final class RestartHistoryTests: XCTestCase {
    func testHistoryKeepsNewest100() {
        var h = RestartHistory()
        for i in 0..<150 { h.append(RestartEvent(time: Double(i), reason: "x", oldPID: 1, newPID: 2, success: true)) }
        XCTAssertEqual(h.events.count, 100)
        XCTAssertEqual(h.events.first?.time, 50)
    }

    func testAutomaticSinceLeavesManualRestartsOut() {
        let h = RestartHistory(events: [
            RestartEvent(time: 10, reason: "x", oldPID: 1, newPID: 2, success: true),
            RestartEvent(time: 20, reason: "x", oldPID: 2, newPID: 3, success: true, manual: true),
            RestartEvent(time: 30, reason: "x", oldPID: 3, newPID: 4, success: true),
        ])
        XCTAssertEqual(h.automatic(since: 15).map(\.time), [30])
    }
}
