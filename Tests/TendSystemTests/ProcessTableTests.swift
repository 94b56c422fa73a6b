import XCTest
@testable import TendSystem
import TendTestSupport
#if canImport(Glibc)
import Glibc
#endif

final class ProcessTableTests: XCTestCase {
    var children: [Int32] = []

    override func tearDown() {
        for pid in children {
            kill(pid, SIGKILL)
            var status: Int32 = 0
            waitpid(pid, &status, 0)
        }
        children = []
    }

    func spawnSleep() throws -> Int32 {
        let pid = try Spawner.spawn(["/bin/sleep", "300"])
        children.append(pid)
        return pid
    }

    /// A process name may hold spaces and parentheses: fields are counted from the last ')'.
    func testStatLineWithParenthesesInTheName() throws {
        let line = "4242 (we (ird) name) S 1 4242 4242 0 -1 4194560 100 0 0 0 7 3 0 0 20 0 2 0 123456 1000000 50 18446744073709551615"
        let snap = try XCTUnwrap(ProcessTable.parseStat(line, pid: 4242, commandLine: ["x"]))
        XCTAssertEqual(snap.name, "we (ird) name")
        XCTAssertEqual(snap.state, "S")
        XCTAssertEqual(snap.parentPID, 1)
        XCTAssertEqual(snap.processGroup, 4242)
        XCTAssertEqual(snap.threads, 2)
        XCTAssertEqual(snap.startTime, 123456)
        XCTAssertNil(ProcessTable.parseStat("garbage", pid: 1, commandLine: []))
    }

    func testSpawnedDaemonLeadsItsOwnSessionWithStdinFromDevNull() throws {
        let pid = try spawnSleep()
        let snap = try XCTUnwrap(ProcessTable.snapshot(pid))
        XCTAssertEqual(snap.session, pid, "not a session leader")
        XCTAssertEqual(snap.processGroup, pid, "not a group leader")
        // posix_spawn returns once the child is in exec; its command line appears a moment
        // later (which is why identity checks read only /proc/PID/stat).
        XCTAssertTrue(Wait.until { ProcessTable.commandLine(pid) == ["/bin/sleep", "300"] }, "\(ProcessTable.commandLine(pid))")
        var buf = [CChar](repeating: 0, count: 256)
        let n = readlink("/proc/\(pid)/fd/0", &buf, 255)
        XCTAssertGreaterThan(n, 0)
        XCTAssertEqual(String(decoding: buf.prefix(Int(n)).map { UInt8(bitPattern: $0) }, as: UTF8.self), "/dev/null")
    }

    func testIdentityDetectsAReusedPID() throws {
        let pid = try spawnSleep()
        let identity = try XCTUnwrap(ProcessTable.identity(of: pid))
        XCTAssertEqual(ProcessTable.check(identity), .alive)
        let impostor = ProcessIdentity(pid: pid, startTime: identity.startTime &+ 1)
        guard case .reused = ProcessTable.check(impostor) else { return XCTFail("a different start time must read as reused") }
        XCTAssertFalse(Signals.send(.terminate, to: impostor), "signalled an unverified process")
        XCTAssertEqual(ProcessTable.check(identity), .alive)
    }

    func testExitWatchBecomesReadableWhenTheProcessDies() throws {
        let pid = try spawnSleep()
        let identity = try XCTUnwrap(ProcessTable.identity(of: pid))
        let watch = try ProcessTable.openExitWatch(identity)
        defer { closeFD(watch) }
        XCTAssertTrue(Poller.waitReadable([watch], timeout: 0).isEmpty, "readable while alive")
        XCTAssertTrue(Signals.send(.kill, to: identity))
        XCTAssertEqual(Poller.waitReadable([watch], timeout: 20), [watch])
    }

    func testExitWatchRefusesAnUnverifiedIdentity() throws {
        let pid = try spawnSleep()
        let identity = try XCTUnwrap(ProcessTable.identity(of: pid))
        XCTAssertThrowsError(try ProcessTable.openExitWatch(ProcessIdentity(pid: pid, startTime: identity.startTime &+ 1)))
    }

    func testMissingCommandIsAClearError() {
        XCTAssertThrowsError(try Spawner.spawn(["/nonexistent/prog"])) { error in
            XCTAssertEqual("\(error)", "command not found: /nonexistent/prog")
        }
        XCTAssertThrowsError(try Spawner.spawn(["no-such-program-anywhere"]))
    }
}
