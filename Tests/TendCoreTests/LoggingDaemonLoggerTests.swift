import XCTest
@testable import TendCore
import TendSystem

/// Routing of the seed logger's functions, output capture and the swift-log backend,
/// against real files in a fresh home.
final class LoggingDaemonLoggerTests: XCTestCase {
    private var dir: LoggingTempDir!
    private var home: Home { dir.home }

    override func setUpWithError() throws {
        dir = try LoggingTempDir()
        try home.prepare()
    }

    override func tearDown() {
        LogFileRegistry.shared.closeAll()
        dir.remove()
    }

    func testEveryLevelWithStructuredFieldsAndHealthCopies() throws {
        let logger = DaemonLogger(home: home, daemon: "web")
        try logger.debug("d", fields: ["n": .int(0)])
        try logger.info("i", fields: ["n": .int(1), "ratio": .double(0.5)])
        try logger.warning("w", fields: ["n": .int(2), "tags": .array([.string("a")])])
        try logger.error("e", fields: ["n": .int(3), "ok": .bool(false)])
        try logger.critical("c", fields: ["n": .int(4), "detail": .object(["disk": .string("sda")])])

        let records = loggingRecords(home.daemonLog("web"))
        XCTAssertEqual(records.map(\.level), LogLevel.allCases)
        XCTAssertEqual(records.map(\.msg), ["d", "i", "w", "e", "c"])
        XCTAssertEqual(records.map { $0.fields["n"] }, (0...4).map { .int(Int64($0)) })
        XCTAssertEqual(records[1].fields["ratio"], .double(0.5))
        XCTAssertEqual(records[4].fields["detail"], .object(["disk": .string("sda")]))
        XCTAssertTrue(records.allSatisfy { $0.daemon == "web" })

        let health = loggingRecords(home.healthLog)
        XCTAssertEqual(health.map(\.msg), ["e", "c"], "error and critical, and only they, go to health.log")
        XCTAssertFalse(FileSystem.exists(home.policyHitsLog))
    }

    func testPolicyHitGoesToPolicyHitsLogAndDaemonLog() throws {
        let logger = DaemonLogger(home: home, daemon: "saver")
        try logger.policyHit(policy: "restart", action: "refused", context: "rate limit: 3 restarts in the last hour",
                             fields: ["restarts": .int(3)])
        let hits = loggingRecords(home.policyHitsLog)
        XCTAssertEqual(hits.count, 1)
        XCTAssertEqual(hits.first?.fields["type"], .string("policy_hit"))
        XCTAssertEqual(hits.first?.fields["policy"], .string("restart"))
        XCTAssertEqual(hits.first?.fields["action"], .string("refused"))
        XCTAssertEqual(hits.first?.fields["context"], .string("rate limit: 3 restarts in the last hour"))
        XCTAssertEqual(hits.first?.fields["restarts"], .int(3))
        XCTAssertEqual(loggingLines(home.daemonLog("saver")), loggingLines(home.policyHitsLog))
        XCTAssertFalse(FileSystem.exists(home.healthLog))
    }

    /// One destination refuses (a directory stands where policy-hits.log belongs, so its
    /// open fails as a full disk's write would): the others take the records, each record
    /// remembers where it is, and the retry writes only the missing copy.
    func testARetryWritesARecordOnlyWhereItIsMissing() throws {
        try FileSystem.makeDirectory(home.policyHitsLog, mode: 0o700)
        let logger = DaemonLogger(home: home, daemon: "web")
        var pending = [LogRecord(level: .info, daemon: "web", msg: "plain"),
                       logger.policyHitRecord(policy: "restart", action: "restart"),
                       LogRecord(level: .error, daemon: "web", msg: "bad")].map(PendingLogRecord.init)
        XCTAssertThrowsError(try logger.write(&pending)) { error in
            XCTAssertTrue("\(error)".contains(home.policyHitsLog), "\(error)")
        }
        XCTAssertEqual(pending.map(\.written), [[.daemon], [.daemon], [.daemon, .health]])
        XCTAssertEqual(pending.map(\.owed), [[], [.policyHits], []])
        XCTAssertThrowsError(try logger.write(&pending), "still refused")
        XCTAssertEqual(loggingRecords(home.daemonLog("web")).map(\.msg), ["plain", "policy restart: restart", "bad"])

        XCTAssertEqual(rmdir(home.policyHitsLog), 0)
        try logger.write(&pending)
        XCTAssertTrue(pending.allSatisfy { $0.owed.isEmpty })
        XCTAssertEqual(loggingRecords(home.daemonLog("web")).map(\.msg), ["plain", "policy restart: restart", "bad"],
                       "the retry wrote into the daemon's log again")
        XCTAssertEqual(loggingRecords(home.healthLog).map(\.msg), ["bad"])
        XCTAssertEqual(loggingRecords(home.policyHitsLog).map(\.msg), ["policy restart: restart"])
        try logger.write(&pending)
        XCTAssertEqual(loggingLines(home.daemonLog("web")).count, 3, "a written record was written again")
    }

    /// The monitor's queue keeps what is owed, and forgets a record once every file has it.
    func testTheMonitorsQueueKeepsOnlyWhatIsOwed() throws {
        try FileSystem.makeDirectory(home.policyHitsLog, mode: 0o700)
        let logger = DaemonLogger(home: home, daemon: "web")
        var queue = LogQueue()
        queue.append(LogRecord(level: .info, daemon: "web", msg: "started"))
        queue.append(logger.policyHitRecord(policy: "restart", action: "restart"))
        for _ in 0..<3 { XCTAssertThrowsError(try queue.write(to: logger, at: 0)) }
        XCTAssertEqual(queue.records.map(\.msg), ["policy restart: restart"], "a record every file has is still queued")
        XCTAssertEqual(rmdir(home.policyHitsLog), 0)
        try queue.write(to: logger, at: 0)
        XCTAssertTrue(queue.isEmpty)
        XCTAssertEqual(loggingRecords(home.daemonLog("web")).map(\.msg), ["started", "policy restart: restart"])
        XCTAssertEqual(loggingRecords(home.policyHitsLog).count, 1)
    }

    func testHealthEventsGoToHealthLog() throws {
        let logger = DaemonLogger(home: home, daemon: "db")
        try logger.healthEvent(event: "probe_failed", message: "tcp 5432 refused", severity: .warning)
        try logger.healthEvent(event: "recovered", message: "tcp 5432 answers")
        let health = loggingRecords(home.healthLog)
        XCTAssertEqual(health.map(\.msg), ["tcp 5432 refused", "tcp 5432 answers"])
        XCTAssertEqual(health.map(\.level), [.warning, .info])
        XCTAssertEqual(health.map { $0.fields["event"] }, [.string("probe_failed"), .string("recovered")])
        XCTAssertEqual(loggingRecords(home.daemonLog("db")).count, 2)
    }

    func testLifecycleExceptionAndPerformanceRecords() throws {
        let logger = DaemonLogger(home: home, daemon: "job")
        try logger.startup(pid: 4242)
        try logger.performance(operation: "save", durationMs: 12.34)
        try logger.performance(operation: "save", durationMs: 900, success: false)
        try logger.exception("lua error", traceback: "policy.lua:18: boom\nstack traceback: …", context: "decide")
        try logger.shutdown(reason: "SIGTERM")

        let records = loggingRecords(home.daemonLog("job"))
        XCTAssertEqual(records.map(\.type), ["startup", "performance", "performance", "exception", "shutdown"])
        XCTAssertEqual(records[0].fields["pid"], .int(4242))
        XCTAssertEqual(records[1].fields["duration_ms"], .double(12.34))
        XCTAssertEqual(records[1].fields["success"], .bool(true))
        XCTAssertEqual(records[2].level, .warning)
        XCTAssertEqual(records[3].fields["traceback"], .string("policy.lua:18: boom\nstack traceback: …"))
        XCTAssertEqual(records[4].fields["reason"], .string("SIGTERM"))
        XCTAssertEqual(loggingRecords(home.healthLog).map(\.type), ["exception"])
    }

    func testCapturedOutputIsWrappedOrRoutedAsRecords() throws {
        let logger = DaemonLogger(home: home, daemon: "py")
        let ownRecord = #"{"level":"error","msg":"cannot save","code":500}"#
        let foreign = #"{"level":"error","daemon":"other","msg":"not mine"}"#
        let policy = #"{"level":"info","daemon":"py","msg":"hit","type":"policy_hit","policy":"p"}"#
        try logger.captured(lines: ["plain line", ownRecord, foreign, #"{"just":"json"}"#, policy], stream: "stderr")

        let records = loggingRecords(home.daemonLog("py"))
        XCTAssertEqual(records.map(\.msg), ["plain line", "cannot save", foreign, #"{"just":"json"}"#, "hit"])
        XCTAssertEqual(records[0].fields, ["stream": .string("stderr")])
        XCTAssertEqual(records[1].level, .error)
        XCTAssertEqual(records[1].fields["code"], .int(500))
        XCTAssertEqual(records[2].level, .info, "another daemon's record is kept as text")
        XCTAssertTrue(records.allSatisfy { $0.daemon == "py" })
        XCTAssertEqual(loggingRecords(home.healthLog).map(\.msg), ["cannot save"])
        XCTAssertEqual(loggingRecords(home.policyHitsLog).map(\.msg), ["hit"])
    }

    func testInvalidUTF8IsReplacedNotFatal() throws {
        let logger = DaemonLogger(home: home, daemon: "bin")
        var assembler = OutputLineAssembler()
        let lines = assembler.feed([0x6F, 0x6B, 0xFF, 0xFE, 0x0A, 0xC3]) + assembler.feed([0x28, 0x0A])
        XCTAssertEqual(lines, ["ok\u{FFFD}\u{FFFD}", "\u{FFFD}("])
        try logger.captured(lines: lines)
        try logger.info(String(decoding: [0x61, 0x80, 0x62], as: UTF8.self))

        let bytes = try FileSystem.readBytes(home.daemonLog("bin"))
        XCTAssertNotNil(String(validating: bytes, as: UTF8.self), "the log must stay valid UTF-8")
        XCTAssertEqual(loggingRecords(home.daemonLog("bin")).map(\.msg), ["ok\u{FFFD}\u{FFFD}", "\u{FFFD}(", "a\u{FFFD}b"])
    }

    func testWriteErrorsNameThePathInsteadOfCrashing() throws {
        try XCTSkipIf(geteuid() == 0, "root ignores file permissions")
        try FileSystem.setMode(home.daemonLogsDir, 0o500)
        defer { try? FileSystem.setMode(home.daemonLogsDir, 0o700) }
        let logger = DaemonLogger(home: home, daemon: "ro")
        XCTAssertThrowsError(try logger.info("x")) { error in
            XCTAssertTrue("\(error)".contains(home.daemonLogsDir), "\(error)")
        }
    }

    func testWriteErrorsOnAPathThatCannotBeAFile() throws {
        // Works as root too: the log path is a directory.
        try FileSystem.makeDirectory(home.daemonLog("dir"))
        let logger = DaemonLogger(home: home, daemon: "dir")
        XCTAssertThrowsError(try logger.error("x")) { error in
            XCTAssertTrue("\(error)".contains(home.daemonLog("dir")), "\(error)")
        }
        XCTAssertEqual(loggingRecords(home.healthLog).map(\.msg), ["x"], "the other files are still written")
    }

    func testSharedFilesUseOneWriterPerPath() {
        let a = DaemonLogger(home: home, daemon: "a")
        let b = DaemonLogger(home: home, daemon: "b")
        XCTAssertTrue(a.file(for: .health) === b.file(for: .health))
        XCTAssertTrue(a.file(for: .policyHits) === b.file(for: .policyHits))
        XCTAssertFalse(a.file(for: .daemon) === b.file(for: .daemon))
    }
}
