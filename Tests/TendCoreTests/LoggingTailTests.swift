import XCTest
@testable import TendCore
import TendSystem
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reading the end of a rotated log and following it (what `tend logs [-f]` uses).
final class LoggingTailTests: XCTestCase {
    private var dir: LoggingTempDir!
    private var path: String { "\(dir.path)/web.log" }

    override func setUpWithError() throws {
        dir = try LoggingTempDir()
    }

    override func tearDown() {
        dir.remove()
    }

    private func appendRaw(_ text: String, to file: String? = nil) throws {
        let fd = open(file ?? path, O_WRONLY | O_APPEND | O_CREAT, 0o600)
        XCTAssertGreaterThanOrEqual(fd, 0)
        defer { close(fd) }
        try FileSystem.writeAll(fd, Array(text.utf8))
    }

    func testLastLinesSpanBackupsOldestFirst() throws {
        let file = RotatingLogFile(path: path, options: RotationOptions(maxBytes: 40, backups: 10))
        try file.append(lines: (0..<30).map { "line \($0)" })
        XCTAssertTrue(FileSystem.exists("\(path).3"))
        XCTAssertEqual(try LogTail.lastLines(path: path, count: 12), (18..<30).map { "line \($0)" })
        XCTAssertEqual(try LogTail.lastLines(path: path, count: 1000).count, 30)
        XCTAssertEqual(try LogTail.lastLines(path: path, count: 3, where: { $0.hasSuffix("5") }),
                       ["line 5", "line 15", "line 25"])
        XCTAssertEqual(try LogTail.lastLines(path: path, count: 0), [])
        XCTAssertEqual(try LogTail.lastLines(path: "\(dir.path)/none.log", count: 5), [])
    }

    func testLastLinesAcrossChunkBoundariesAndOddEndings() throws {
        // Lines straddling the 64 KiB read chunks, CRLF, blank lines and a torn last line.
        let lines = (0..<3000).map { "\($0) " + String(repeating: "y", count: $0 % 97) }
        try appendRaw(lines.joined(separator: "\n") + "\n\r\n\ncrlf\r\ntorn")
        let tail = try LogTail.lastLines(path: path, count: 2502)
        XCTAssertEqual(tail, Array(lines.suffix(2500)) + ["crlf", "torn"])
    }

    func testFollowerSeesAppendsRotationsAndRecreation() throws {
        let file = RotatingLogFile(path: path, options: RotationOptions(maxBytes: 64, backups: 5))
        try file.append(line: "old")
        let follower = try LogFollower(path: path)
        XCTAssertEqual(try follower.tail(count: 5), ["old"])
        XCTAssertEqual(try follower.poll(), [])

        try file.append(line: "a")
        XCTAssertEqual(try follower.poll(), ["a"])

        // Several rotations (fewer than the backups kept) between two polls: the files in
        // between are read too.
        let burst = (0..<12).map { "burst \($0) " + String(repeating: "z", count: 10) }
        try file.append(lines: burst)
        XCTAssertTrue(FileSystem.exists("\(path).3"), "the burst must rotate several times")
        XCTAssertEqual(try follower.poll(), burst)

        // A partial line is held back until its newline arrives.
        try appendRaw("half")
        XCTAssertEqual(try follower.poll(), [])
        try appendRaw(" done\n")
        XCTAssertEqual(try follower.poll(), ["half done"])

        // Deleted: nothing to read until it comes back, then from its start.
        XCTAssertEqual(unlink(path), 0)
        XCTAssertEqual(try follower.poll(), [])
        try file.append(line: "reborn")
        XCTAssertEqual(try follower.poll(), ["reborn"])

        // Truncated in place (seen while shorter than before): read again from the start.
        XCTAssertEqual(truncate(path, 0), 0)
        XCTAssertEqual(try follower.poll(), [])
        try appendRaw("after truncate\n")
        XCTAssertEqual(try follower.poll(), ["after truncate"])
    }

    func testFollowerWaitsForAMissingFile() throws {
        let follower = try LogFollower(path: path)
        XCTAssertEqual(try follower.tail(count: 5), [])
        XCTAssertEqual(try follower.poll(), [])
        try appendRaw("first\n")
        XCTAssertEqual(try follower.poll(), ["first"])
    }
}
