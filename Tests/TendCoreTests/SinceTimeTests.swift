import XCTest
@testable import TendCore

final class SinceTimeTests: XCTestCase {
    let now = 1_764_062_306.0   // 2025-11-25T09:18:26Z

    func testDurationsBackFromNow() {
        XCTAssertEqual(SinceTime.parse("10m", now: now), now - 600)
        XCTAssertEqual(SinceTime.parse("2h", now: now), now - 7200)
        XCTAssertEqual(SinceTime.parse("90s", now: now), now - 90)
        XCTAssertEqual(SinceTime.parse("1d", now: now), now - 86400)
        XCTAssertEqual(SinceTime.parse("1h30m", now: now), now - 5400)
        XCTAssertEqual(SinceTime.parse("0.5h", now: now), now - 1800)
    }

    func testTimesWithAZoneAreExact() {
        XCTAssertEqual(SinceTime.parse("2025-11-25T09:18:26Z", now: now), now)
        XCTAssertEqual(SinceTime.parse("2025-11-25T09:18:26.250Z", now: now), now + 0.25)
        XCTAssertEqual(SinceTime.parse("2025-11-25T10:18:26+01:00", now: now), now)
        XCTAssertEqual(SinceTime.parse("2025-11-25T04:18:26-0500", now: now), now)
    }

    func testTimesWithoutAZoneAreLocal() {
        // Whatever the machine's zone: the same wall time read back by the C library.
        let local = SinceTime.parse("2025-11-25 09:18", now: now)
        XCTAssertNotNil(local)
        XCTAssertEqual(SinceTime.parse("2025-11-25T09:18:00", now: now), local)
        XCTAssertEqual(LogRendering.localTimestamp(local!).prefix(19), "2025-11-25T09:18:00")
        XCTAssertNotNil(SinceTime.parse("2025-11-25", now: now))
    }

    func testAnythingElseIsRefused() {
        for bad in ["", "10", "m", "10x", "yesterday", "2025-13-01", "2025-11-25T25:00", "2025-11-25T09:18:26+1", "2025-11-25T09:18Zx", "10m5"] {
            XCTAssertNil(SinceTime.parse(bad, now: now), bad)
        }
    }
}
