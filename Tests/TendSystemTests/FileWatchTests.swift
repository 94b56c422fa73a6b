import XCTest
#if canImport(Glibc)
import Glibc
#endif
import TendTestSupport
@testable import TendSystem

final class FileWatchTests: XCTestCase {
    func testAWriteInAWatchedFolderWakesTheWaitAtOnce() throws {
        let scratch = try ScratchDirectory("watch")
        defer { scratch.remove() }
        let dir = scratch.path
        let watch = FileWatch(directories: [dir, "\(dir)/absent"])
        #if os(Linux)
        XCTAssertTrue(watch.isEventDriven, "inotify on Linux")
        #endif
        guard watch.isEventDriven else { throw XCTSkip("no file watch on this platform: `tend logs --follow` polls") }
        XCTAssertFalse(watch.wait(timeout: 0.05), "nothing changed yet")

        // Another process writes; the wait (30 s at most) returns long before its timeout.
        let writer = try Spawner.spawn(["/bin/sh", "-c", "sleep 0.2; echo line >> '\(dir)/x.log'"])
        defer { var status: Int32 = 0; _ = waitpid(writer, &status, 0) }
        let started = Clock.monotonic()
        XCTAssertTrue(watch.wait(timeout: 30))
        XCTAssertLessThan(Clock.monotonic() - started, 10, "woken by the event, not by the timeout")
    }
}
