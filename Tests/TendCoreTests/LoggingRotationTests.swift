import XCTest
import Dispatch
@testable import TendCore
import TendSystem
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Rotation with small thresholds and several writers (threads and processes): no line
/// lost, duplicated, split or glued; never more than the configured backups; a deleted
/// log file is recreated.
final class LoggingRotationTests: XCTestCase {
    private var dir: LoggingTempDir!
    private var path: String { "\(dir.path)/logs/daemons/w.log" }

    override func setUpWithError() throws {
        dir = try LoggingTempDir()
    }

    override func tearDown() {
        dir.remove()
    }

    // MARK: - Numbered lines

    /// `W n=000123 xxx… end`: the run of x's is `n % 40` long, so a split or glued line
    /// cannot pass for a whole one.
    static func numberedLine(_ writer: String, _ n: Int) -> String {
        let digits = String(n)
        return "\(writer) n=\(String(repeating: "0", count: max(0, 6 - digits.count)) + digits) "
            + String(repeating: "x", count: n % 40) + " end"
    }

    /// Writes `count` numbered lines in batches of 1…7 (the batch API under rotation).
    static func writeNumbered(_ file: RotatingLogFile, writer: String, count: Int) throws {
        var n = 0
        var batch = 1
        while n < count {
            let k = min(batch, count - n)
            try file.append(lines: (n..<(n + k)).map { numberedLine(writer, $0) })
            n += k
            batch = batch % 7 + 1
        }
    }

    /// Every line of every file, oldest file first, checked for shape; writer → numbers
    /// in the order they were written.
    private func collect(files: [String], file: StaticString = #filePath, line: UInt = #line) -> [String: [Int]] {
        var result: [String: [Int]] = [:]
        for path in files.reversed() {
            for text in loggingLines(path) {
                let parts = text.split(separator: " ", omittingEmptySubsequences: false)
                guard parts.count == 4, parts[1].hasPrefix("n="), let n = Int(parts[1].dropFirst(2)),
                      parts[3] == "end", parts[2].count == n % 40,
                      text == LoggingRotationTests.numberedLine(String(parts[0]), n) else {
                    XCTFail("split or glued line in \(path): \(text)", file: file, line: line)
                    continue
                }
                result[String(parts[0]), default: []].append(n)
            }
        }
        return result
    }

    private func assertFileSizes(_ files: [String], atMost limit: Int, file: StaticString = #filePath, line: UInt = #line) {
        for path in files {
            let size = FileSystem.info(path)?.size ?? -1
            XCTAssertLessThanOrEqual(size, Int64(limit), "\(path) exceeds the rotation size", file: file, line: line)
        }
    }

    /// Runs `body(i)` for i in 0..<count on concurrent threads; rethrows the first error.
    private func concurrently(_ count: Int, _ body: @escaping @Sendable (Int) throws -> Void) throws {
        let errors = LoggingErrorBox()
        DispatchQueue.concurrentPerform(iterations: count) { i in
            do { try body(i) } catch { errors.add(error) }
        }
        if let first = errors.first { throw first }
    }

    // MARK: - Tests

    func testConcurrentThreadsLoseNothingWhileRotating() throws {
        let options = RotationOptions(maxBytes: 4096, backups: 100)
        let shared = RotatingLogFile(path: path, options: options)
        let own = RotatingLogFile(path: path, options: options)
        // Writers 0 and 2 share a writer object (one fd), writer 1 has its own fd like
        // another process would.
        try concurrently(3) { i in
            try LoggingRotationTests.writeNumbered(i == 1 ? own : shared, writer: "T\(i)", count: 1500)
        }
        let files = loggingRotatedFiles(path)
        XCTAssertGreaterThan(files.count, 20, "the test must actually rotate")
        XCTAssertLessThanOrEqual(files.count, 101)
        assertFileSizes(files, atMost: 4096)
        let numbers = collect(files: files)
        for i in 0..<3 {
            XCTAssertEqual(numbers["T\(i)"], Array(0..<1500), "writer T\(i): every line exactly once, in order")
        }
    }

    func testBackupsAreBoundedAndTheNewestLinesKept() throws {
        let options = RotationOptions(maxBytes: 4096, backups: 3)
        let a = RotatingLogFile(path: path, options: options)
        let b = RotatingLogFile(path: path, options: options)
        try concurrently(2) { i in
            try LoggingRotationTests.writeNumbered(i == 0 ? a : b, writer: "B\(i)", count: 2000)
        }
        let files = loggingRotatedFiles(path)
        XCTAssertEqual(files, [path, "\(path).1", "\(path).2", "\(path).3"])
        XCTAssertFalse(FileSystem.exists("\(path).4"))
        assertFileSizes(files, atMost: 4096)
        let numbers = collect(files: files)
        // A writer that finished long before the other (a loaded machine may not interleave
        // the threads at all) can have every line rotated out; the other one cannot.
        XCTAssertFalse((numbers["B0"] ?? []).isEmpty && (numbers["B1"] ?? []).isEmpty)
        for i in 0..<2 {
            let kept = numbers["B\(i)"] ?? []
            // What survives is the newest stretch: contiguous, ending at the last line.
            XCTAssertEqual(kept, Array((2000 - kept.count)..<2000), "writer B\(i)")
        }
    }

    func testConcurrentProcessesLoseNothingWhileRotating() throws {
        let options = RotationOptions(maxBytes: 4096, backups: 100)
        var environment = Spawner.currentEnvironment()
        environment["TEND_LOGGING_CHILD_LOG"] = path
        environment["TEND_LOGGING_CHILD_COUNT"] = "1200"
        var children: [Int32] = []
        for writer in ["P1", "P2"] {
            environment["TEND_LOGGING_CHILD_WRITER"] = writer
            children.append(try Spawner.spawn(
                [FileSystem.executablePath(), "TendCoreTests.LoggingRotationTests/testChildWriterEntryPoint"],
                environment: environment))
        }
        try LoggingRotationTests.writeNumbered(RotatingLogFile(path: path, options: options), writer: "P0", count: 1200)
        for pid in children {
            var status: Int32 = 0
            XCTAssertEqual(retryingOnInterrupt { waitpid(pid, &status, 0) }, pid)
            XCTAssertEqual(status, 0, "child writer \(pid) failed (wait status \(status))")
        }
        let files = loggingRotatedFiles(path)
        assertFileSizes(files, atMost: 4096)
        let numbers = collect(files: files)
        for writer in ["P0", "P1", "P2"] {
            XCTAssertEqual(numbers[writer], Array(0..<1200), "process \(writer): every line exactly once, in order")
        }
    }

    /// The child side of `testConcurrentProcessesLoseNothingWhileRotating`: this test
    /// binary is started again with only this test selected and the job in its
    /// environment. In a normal run it does nothing.
    func testChildWriterEntryPoint() throws {
        let environment = Spawner.currentEnvironment()
        guard let path = environment["TEND_LOGGING_CHILD_LOG"], let writer = environment["TEND_LOGGING_CHILD_WRITER"],
              let count = Int(environment["TEND_LOGGING_CHILD_COUNT"] ?? "") else { return }
        let file = RotatingLogFile(path: path, options: RotationOptions(maxBytes: 4096, backups: 100))
        try LoggingRotationTests.writeNumbered(file, writer: writer, count: count)
    }

    func testDeletedOrMovedFileIsRecreated() throws {
        let file = RotatingLogFile(path: path)
        try file.append(line: "one")
        XCTAssertEqual(unlink(path), 0)
        try file.append(line: "two")
        XCTAssertEqual(loggingLines(path), ["two"], "logging must not stop after the file was deleted")

        XCTAssertEqual(rename(path, "\(path).moved"), 0)
        try file.append(line: "three")
        XCTAssertEqual(loggingLines(path), ["three"])
        XCTAssertEqual(loggingLines("\(path).moved"), ["two"])

        loggingRemoveTree("\(dir.path)/logs")
        try file.append(line: "four")
        XCTAssertEqual(loggingLines(path), ["four"], "a deleted log folder is recreated")
    }

    func testALineLongerThanTheLimitIsWrittenWholeIntoAFreshFile() throws {
        let file = RotatingLogFile(path: path, options: RotationOptions(maxBytes: 1024, backups: 5))
        let long = String(repeating: "L", count: 5000)
        try file.append(lines: ["first", long, "last"])
        XCTAssertEqual(loggingLines("\(path).2"), ["first"])
        XCTAssertEqual(loggingLines("\(path).1"), [long])
        XCTAssertEqual(loggingLines(path), ["last"])
    }

    func testATornLastLineIsNotGluedToTheNextOne() throws {
        let file = RotatingLogFile(path: path)
        try file.append(line: "whole")
        let fd = open(path, O_WRONLY | O_APPEND)
        XCTAssertGreaterThanOrEqual(fd, 0)
        try FileSystem.writeAll(fd, Array("torn by a killed wri".utf8))
        close(fd)
        try file.append(lines: ["next", "and more\n"])
        XCTAssertEqual(loggingLines(path), ["whole", "torn by a killed wri", "next", "and more"])
    }

    func testZeroBackupsStartsOver() throws {
        let file = RotatingLogFile(path: path, options: RotationOptions(maxBytes: 100, backups: 0))
        try file.append(lines: (0..<30).map { "line \($0)" })
        XCTAssertEqual(loggingRotatedFiles(path), [path])
        XCTAssertEqual(loggingLines(path).last, "line 29")
        assertFileSizes([path], atMost: 100)
    }

    func testLoweringBackupsDropsTheExtraFile() throws {
        try RotatingLogFile(path: path, options: RotationOptions(maxBytes: 10, backups: 4))
            .append(lines: (0..<10).map { "line \($0)" })
        XCTAssertEqual(loggingRotatedFiles(path).count, 5)
        try RotatingLogFile(path: path, options: RotationOptions(maxBytes: 10, backups: 3)).append(line: "new")
        XCTAssertFalse(FileSystem.exists("\(path).4"))
        XCTAssertEqual(loggingRotatedFiles(path).count, 4)
    }
}

/// Errors collected from concurrent writers.
final class LoggingErrorBox: @unchecked Sendable {
    private var errors: [Error] = []
    private var lock = pthread_mutex_t()

    init() { pthread_mutex_init(&lock, nil) }

    func add(_ error: Error) {
        pthread_mutex_lock(&lock)
        errors.append(error)
        pthread_mutex_unlock(&lock)
    }

    var first: Error? {
        pthread_mutex_lock(&lock)
        defer { pthread_mutex_unlock(&lock) }
        return errors.first
    }
}
