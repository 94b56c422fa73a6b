import XCTest
import TendSystem
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `tend log` and `tend logs`, run as the built binary against a fresh home.
final class LogCommandTests: XCTestCase {
    private var root = ""
    private var followers: [Int32] = []

    private var tendPath: String {
        FileSystem.parentDirectory(of: FileSystem.executablePath()) + "/tend"
    }

    private var logPath: String { "\(root)/logs/daemons/web.log" }

    override func setUpWithError() throws {
        var template = Array("/tmp/tend-logcmd-XXXXXX".utf8CString)
        guard let made = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
            throw SystemError("mkdtemp")
        }
        root = String(cString: made)
        XCTAssertTrue(FileSystem.exists(tendPath), "the tend binary is built beside the tests: \(tendPath)")
    }

    override func tearDown() {
        for pid in followers {
            kill(pid, SIGKILL)
            var status: Int32 = 0
            _ = retryingOnInterrupt { waitpid(pid, &status, 0) }
        }
        followers = []
        removeTree(root)
    }

    // MARK: - Helpers

    /// Runs `tend ARGS --home ROOT`; stdout and stderr together.
    @discardableResult
    private func tend(_ arguments: [String], environment extra: [String: String] = [:]) throws -> (status: Int32, output: String) {
        let (readEnd, writeEnd) = try makePipe()
        defer { close(readEnd) }
        let pid: Int32
        do {
            pid = try Spawner.spawn([tendPath] + arguments + ["--home", root], environment: environment(extra), output: writeEnd)
            close(writeEnd)
        } catch {
            close(writeEnd)
            throw error
        }
        var output: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = buffer.withUnsafeMutableBytes { buf in retryingOnInterrupt { Glibc.read(readEnd, buf.baseAddress, buf.count) } }
            if n <= 0 { break }
            output += buffer[0..<n]
        }
        var status: Int32 = 0
        _ = retryingOnInterrupt { waitpid(pid, &status, 0) }
        let exitCode = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        return (exitCode, String(decoding: output, as: UTF8.self))
    }

    private func environment(_ extra: [String: String]) -> [String: String] {
        var env = Spawner.currentEnvironment()
        env["TEND_HOME"] = nil
        env["TEND_LOG_MAX_BYTES"] = nil
        env["TEND_LOG_BACKUPS"] = nil
        env.merge(extra) { _, new in new }
        return env
    }

    private func makePipe() throws -> (Int32, Int32) {
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { throw SystemError("pipe") }
        for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        return (fds[0], fds[1])
    }

    private func lines(_ text: String) -> [String] {
        text.split(separator: "\n").map(String.init)
    }

    private func fileLines(_ path: String) throws -> [String] {
        lines(try FileSystem.readTextIfPresent(path) ?? "")
    }

    private func removeTree(_ path: String) {
        if FileSystem.isDirectory(path) {
            for name in (try? FileSystem.list(path)) ?? [] { removeTree("\(path)/\(name)") }
            rmdir(path)
        } else {
            unlink(path)
        }
    }

    // MARK: - tend log / tend logs

    func testLogThenLogsShowsTheRecord() throws {
        let write = try tend(["log", "web", "--level", "warn", "disk nearly full", "free_mb=212", "mount=/var", "ok=false"])
        XCTAssertEqual(write.status, 0, write.output)
        XCTAssertEqual(write.output, "")

        let show = try tend(["logs", "web"], environment: ["TZ": "UTC"])
        XCTAssertEqual(show.status, 0, show.output)
        let shown = lines(show.output)
        XCTAssertEqual(shown.count, 1, show.output)
        XCTAssertTrue(shown[0].range(of: #"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z web WARN  disk nearly full  free_mb=212 mount=/var ok=false$"#,
                                     options: .regularExpression) != nil, shown[0])

        let stored = try fileLines(logPath)
        XCTAssertEqual(stored.count, 1)
        XCTAssertTrue(stored[0].hasPrefix(#"{"ts":""#), stored[0])
        XCTAssertTrue(stored[0].hasSuffix(#""level":"warning","daemon":"web","msg":"disk nearly full","free_mb":212,"mount":"/var","ok":false}"#), stored[0])
        XCTAssertFalse(FileSystem.exists("\(root)/logs/health.log"), "a warning is not a health record")
    }

    func testErrorsAlsoGoToHealthLog() throws {
        XCTAssertEqual(try tend(["log", "web", "--level", "error", "cannot bind", "port=8080"]).status, 0)
        let health = try fileLines("\(root)/logs/health.log")
        XCTAssertEqual(health.count, 1)
        XCTAssertTrue(health[0].contains(#""msg":"cannot bind","port":8080"#), health[0])
    }

    func testJSONPassesRecordsThroughAndWrapsOtherLines() throws {
        XCTAssertEqual(try tend(["log", "web", "one"]).status, 0)
        XCTAssertEqual(try tend(["log", "web", "two", "n=2"]).status, 0)
        let fd = open(logPath, O_WRONLY | O_APPEND)
        try FileSystem.writeAll(fd, Array("not a record, written by hand\n".utf8))
        close(fd)

        let show = try tend(["logs", "web", "--json"])
        XCTAssertEqual(show.status, 0, show.output)
        let stored = try fileLines(logPath)
        let printed = lines(show.output)
        XCTAssertEqual(Array(printed.prefix(2)), Array(stored.prefix(2)), "records exactly as stored")
        let ts = try XCTUnwrap(stored[1].split(separator: ",").first)
        XCTAssertEqual(printed.last, #"\#(ts),"level":"info","daemon":"web","msg":"not a record, written by hand"}"#,
                       "a line that is no record becomes one, with the time of the record before it")

        let human = lines(try tend(["logs", "web"]).output)
        XCTAssertTrue(human.last?.hasSuffix(" web not a record, written by hand") == true, "\(human)")
    }

    func testCountAndLevelFilterAcrossRotatedFiles() throws {
        let env = ["TEND_LOG_MAX_BYTES": "300", "TEND_LOG_BACKUPS": "10"]
        for i in 0..<12 {
            let level = i % 4 == 3 ? "error" : "info"
            XCTAssertEqual(try tend(["log", "web", "--level", level, "message \(i)"], environment: env).status, 0)
        }
        XCTAssertTrue(FileSystem.exists("\(logPath).2"), "the test needs several rotated files")

        let lastFive = lines(try tend(["logs", "web", "-n", "5", "--json"]).output)
        XCTAssertEqual(lastFive.map { $0.contains(#""msg":"message "#) }, Array(repeating: true, count: 5))
        XCTAssertTrue(lastFive[0].contains("message 7\""), lastFive[0])
        XCTAssertTrue(lastFive[4].contains("message 11\""), lastFive[4])

        let errors = lines(try tend(["logs", "web", "--level", "error", "-n", "100"]).output)
        XCTAssertEqual(errors.map { $0.split(separator: " ", maxSplits: 3).last.map(String.init) },
                       ["message 3", "message 7", "message 11"])
    }

    func testUnknownLevelIsAUsageError() throws {
        let result = try tend(["log", "web", "--level", "loud", "x"])
        XCTAssertEqual(result.status, 64, result.output)
        XCTAssertTrue(result.output.contains("unknown log level 'loud'"), result.output)
        XCTAssertFalse(FileSystem.exists(logPath))

        let badField = try tend(["log", "web", "x", "novalue"])
        XCTAssertEqual(badField.status, 64, badField.output)
        XCTAssertTrue(badField.output.contains("not key=value"), badField.output)

        let badName = try tend(["log", "../etc", "x"])
        XCTAssertNotEqual(badName.status, 0)
    }

    func testUnknownDaemonHasNoLog() throws {
        let result = try tend(["logs", "ghost"])
        XCTAssertNotEqual(result.status, 0)
        XCTAssertTrue(result.output.contains("no log for ghost at \(root)/logs/daemons/ghost.log"), result.output)
    }

    func testTwoProcessesWritingAtOnceLoseNothing() throws {
        // Two shell loops of `tend log`, rotating every few lines: every record exactly once.
        let script = "i=0; while [ $i -lt 60 ]; do \"$TEND\" log web \"$W $i\" --home \"$ROOT\" || exit 1; i=$((i+1)); done"
        var pids: [Int32] = []
        for writer in ["A", "B"] {
            pids.append(try Spawner.spawn(["/bin/sh", "-c", script], environment: environment([
                "TEND": tendPath, "ROOT": root, "W": writer, "TEND_LOG_MAX_BYTES": "600", "TEND_LOG_BACKUPS": "100",
            ])))
        }
        for pid in pids {
            var status: Int32 = 0
            _ = retryingOnInterrupt { waitpid(pid, &status, 0) }
            XCTAssertEqual(status, 0)
        }
        XCTAssertTrue(FileSystem.exists("\(logPath).3"), "the writers must have rotated")
        let shown = lines(try tend(["logs", "web", "-n", "1000", "--json"]).output)
        for writer in ["A", "B"] {
            let mine = shown.filter { $0.contains(#""msg":"\#(writer) "#) }
            XCTAssertEqual(mine.count, 60, "writer \(writer)")
            for (i, line) in mine.enumerated() {
                XCTAssertTrue(line.hasSuffix(#""msg":"\#(writer) \#(i)"}"#), "writer \(writer) line \(i): \(line)")
            }
        }
    }

    // MARK: - --follow

    /// Starts `tend logs … --follow`; returns its PID and the read end of its output.
    private func startFollower(_ arguments: [String]) throws -> (pid: Int32, output: Int32) {
        let (readEnd, writeEnd) = try makePipe()
        let pid = try Spawner.spawn([tendPath, "logs"] + arguments + ["--follow", "--home", root],
                                    environment: environment([:]), output: writeEnd)
        close(writeEnd)
        followers.append(pid)
        return (pid, readEnd)
    }

    /// Reads from `fd` until `condition(text so far)` holds or the deadline passes.
    private func readOutput(_ fd: Int32, until condition: (String) -> Bool, timeout: Double = 30) -> String {
        var collected: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        let deadline = Clock.monotonic() + timeout
        while !condition(String(decoding: collected, as: UTF8.self)) && Clock.monotonic() < deadline {
            guard !Poller.waitReadable([fd], timeout: 0.2).isEmpty else { continue }
            let n = buffer.withUnsafeMutableBytes { buf in retryingOnInterrupt { Glibc.read(fd, buf.baseAddress, buf.count) } }
            if n <= 0 { break }
            collected += buffer[0..<n]
        }
        return String(decoding: collected, as: UTF8.self)
    }

    func testFollowContinuesAcrossRotation() throws {
        let env = ["TEND_LOG_MAX_BYTES": "400", "TEND_LOG_BACKUPS": "3"]
        XCTAssertEqual(try tend(["log", "web", "before"], environment: env).status, 0)
        let follower = try startFollower(["web", "--json", "-n", "1"])
        defer { close(follower.output) }
        var seen = readOutput(follower.output, until: { $0.contains(#""msg":"before""#) })
        XCTAssertTrue(seen.contains(#""msg":"before""#), "the follower printed the existing record first: \(seen)")

        let inode = FileSystem.info(logPath)?.inode
        for i in 0..<12 {
            XCTAssertEqual(try tend(["log", "web", "after \(i)"], environment: env).status, 0)
        }
        XCTAssertNotEqual(FileSystem.info(logPath)?.inode, inode, "the log must have rotated during the test")
        XCTAssertTrue(FileSystem.exists("\(logPath).1"))

        seen += readOutput(follower.output, until: { (seen + $0).contains(#""msg":"after 11""#) })
        let printed = lines(seen)
        let after = printed.filter { $0.contains(#""msg":"after "#) }
        XCTAssertEqual(after.count, 12, "every line written across the rotation, once: \(seen)")
        for (i, line) in after.enumerated() {
            XCTAssertTrue(line.hasSuffix(#""msg":"after \#(i)"}"#), line)
        }
        XCTAssertEqual(printed.filter { $0.contains(#""msg":"before""#) }.count, 1)
    }

    func testFollowSeesAFileDeletedAndRecreated() throws {
        XCTAssertEqual(try tend(["log", "web", "first"]).status, 0)
        let follower = try startFollower(["web"])
        defer { close(follower.output) }
        XCTAssertTrue(readOutput(follower.output, until: { $0.contains("INFO  first") }).contains("INFO  first"))
        XCTAssertEqual(unlink(logPath), 0)
        XCTAssertEqual(try tend(["log", "web", "--level", "critical", "second"]).status, 0)
        let text = readOutput(follower.output, until: { $0.contains("CRIT  second") })
        XCTAssertTrue(text.contains("CRIT  second"), text)
    }
}
