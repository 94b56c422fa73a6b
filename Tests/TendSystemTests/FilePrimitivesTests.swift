import XCTest
@testable import TendSystem
#if canImport(Glibc)
import Glibc
#endif

final class FilePrimitivesTests: XCTestCase {
    var dir = ""

    override func setUpWithError() throws {
        dir = "/tmp/tend-sys-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileSystem.makeDirectory(dir, mode: 0o700)
    }

    override func tearDown() {
        for name in (try? FileSystem.list(dir)) ?? [] { unlink("\(dir)/\(name)") }
        rmdir(dir)
    }

    func testAtomicWriteReplacesWholeAndLeavesNoTemporaryFile() throws {
        let path = "\(dir)/state.json"
        try FileSystem.writeAtomically(path, text: "old")
        try FileSystem.writeAtomically(path, text: "new", durable: false)
        XCTAssertEqual(try FileSystem.readText(path), "new")
        XCTAssertEqual(try FileSystem.list(dir), ["state.json"])
    }

    func testLockIsExclusiveAndSeenByOthers() throws {
        let path = "\(dir)/monitor.lock"
        XCTAssertFalse(FileLock.isHeld(path))
        let held = try XCTUnwrap(try FileLock.tryHold(path))
        XCTAssertTrue(FileLock.isHeld(path))
        XCTAssertNil(try FileLock.tryHold(path), "a second holder got the lock")
        closeFD(held)
        XCTAssertFalse(FileLock.isHeld(path))
    }

    /// The FIFO trick: a daemon holding its output FIFO read-write keeps writing while
    /// no reader exists, and the next reader gets every line.
    func testFifoKeepsWhatWasWrittenWithoutAReader() throws {
        let path = "\(dir)/out"
        try Fifo.ensure(path)
        let daemonEnd = try Fifo.openReadWrite(path, nonBlocking: false)
        defer { closeFD(daemonEnd) }
        let lines = (1...500).map { "line \($0)\n" }.joined()
        try FileSystem.writeAll(daemonEnd, Array(lines.utf8))   // no EPIPE, no block
        let reader = try Fifo.openReadWrite(path, nonBlocking: true)
        defer { closeFD(reader) }
        XCTAssertEqual(String(decoding: Fifo.drain(reader), as: UTF8.self), lines)
    }

    func testControlSocketIsOwnerOnlyAndCarriesOneLine() throws {
        let path = "\(dir)/monitor.sock"
        let listener = try UnixSocket.listen(at: path)
        defer { closeFD(listener) }
        XCTAssertEqual((FileSystem.info(path)?.mode ?? 0) & 0o777, 0o600)
        let client = try UnixSocket.connect(to: path)
        defer { closeFD(client) }
        try FileSystem.writeAll(client, Array("{\"command\":\"ping\"}\nrest".utf8))
        let server = try XCTUnwrap(Accepting.next(listener))
        defer { closeFD(server) }
        XCTAssertEqual(try UnixSocket.readLine(server, timeout: 5), "{\"command\":\"ping\"}")
    }

    func testReadLineTimesOutOnASilentPeer() throws {
        let path = "\(dir)/silent.sock"
        let listener = try UnixSocket.listen(at: path)
        defer { closeFD(listener) }
        let client = try UnixSocket.connect(to: path)
        defer { closeFD(client) }
        let server = try XCTUnwrap(Accepting.next(listener))
        defer { closeFD(server) }
        XCTAssertThrowsError(try UnixSocket.readLine(server, timeout: 0.05))
    }

    func testISO8601RoundsToTheMillisecondAndParsesBack() {
        XCTAssertEqual(Clock.iso8601(1764062306.1235), "2025-11-25T09:18:26.124Z")
        XCTAssertEqual(Clock.parseISO8601("2025-11-25T09:18:26.124Z") ?? 0, 1764062306.124, accuracy: 0.0005)
        XCTAssertNil(Clock.parseISO8601("yesterday"))
        XCTAssertNil(Clock.parseISO8601("2025-11-25"))
        XCTAssertEqual(Clock.parseISO8601("2025-11-25T09:18:26Z"), 1764062306)
        for t in [0.0, 1764062306.124, 1_800_000_000.5, 951_782_400.999] {   // 951782400: 2000-02-29
            XCTAssertEqual(Clock.parseISO8601(Clock.iso8601(t)) ?? 0, (t * 1000).rounded() / 1000, accuracy: 0.0005)
        }
    }
}

/// Accepting on a non-blocking listener: waits for the pending connection.
enum Accepting {
    static func next(_ listener: Int32) -> Int32? {
        _ = Poller.waitReadable([listener], timeout: 10)
        return UnixSocket.accept(listener)
    }
}
