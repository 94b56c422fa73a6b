import XCTest
import TendCore
import TendSystem
import TendTestSupport
#if canImport(Glibc)
import Glibc
#endif

/// The log writer process (`tend __logd`) with real daemons and a temporary home each:
/// every line exactly once and in order, across SIGKILL, SIGSTOP, rotation and a full
/// disk; stdout and stderr kept apart; lines without a newline and very long lines.
final class CaptureTests: CaptureTestCase {

    /// Waits for the writers to finish and every line to be in the logs, then checks that
    /// each daemon's numbers are 1…count, each once, in order.
    func assertEveryLineOnce(_ daemons: [String: Int], writers: [ProcessIdentity], timeout: Double = 120,
                             file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertTrue(Wait.until(timeout: timeout) { writers.allSatisfy(harness.hasExited) }, "writers did not finish", file: file, line: line)
        let complete = Wait.until(timeout: timeout, every: 0.2) {
            daemons.allSatisfy { harness.numbers($0.key, prefix: $0.key).count >= $0.value }
        }
        for (daemon, count) in daemons.sorted(by: { $0.key < $1.key }) {
            let numbers = harness.numbers(daemon, prefix: daemon)
            XCTAssertEqual(numbers.count, count, "\(daemon): \(numbers.count) lines logged of \(count)", file: file, line: line)
            XCTAssertEqual(CaptureTests.firstDifference(numbers, count), nil, "\(daemon): lines missing, repeated or out of order",
                           file: file, line: line)
        }
        XCTAssertTrue(complete, "not every line arrived; logd.log:\n\(harness.logdLog())", file: file, line: line)
        let unparsable = daemons.keys.flatMap { harness.records($0) }.filter { $0.msg.hasPrefix("UNPARSABLE") }
        XCTAssertEqual(unparsable.map(\.msg), [], "torn or glued records", file: file, line: line)
    }

    /// Where `numbers` first differs from 1…count ("at 17: 18" — index and what is
    /// there), nil when it is exactly that: short to print when a test fails.
    static func firstDifference(_ numbers: [Int], _ count: Int) -> String? {
        for (i, n) in numbers.enumerated() where n != i + 1 { return "at \(i): \(n) (of \(numbers.count) lines)" }
        return numbers.count == count ? nil : "\(numbers.count) lines of \(count)"
    }

    // MARK: - Crash safety

    /// Eight daemons print numbered lines at 1 kHz while the log writer is SIGKILLed 20
    /// times at random moments and started again (the log rotating meanwhile).
    func testEveryLineOnceAcrossTwentySIGKILLs() throws {
        harness.environment["TEND_LOG_MAX_BYTES"] = "256k"
        harness.environment["TEND_LOG_BACKUPS"] = "50"
        try harness.startLogd()
        let count = 10_000
        var writers: [ProcessIdentity] = []
        for i in 1...8 { writers.append(try harness.spawnCounter("w\(i)", prefix: "w\(i)", count: count, rate: 1000)) }
        for _ in 1...20 {
            _ = Poller.waitReadable([], timeout: Double.random(in: 0.05...0.45))
            harness.killLogd()
            try harness.startLogd()
        }
        assertEveryLineOnce(Dictionary(uniqueKeysWithValues: (1...8).map { ("w\($0)", count) }), writers: writers)
    }

    /// The log writer is stopped for 20 s in the middle of a flood: the daemons block once
    /// their pipes are full, and after SIGCONT every line arrives.
    func testNothingLostWhileStoppedForTwentySeconds() throws {
        let logd = try harness.startLogd()
        let count = 30_000   // 3.3 MB each: three times what its pipe holds
        var writers: [ProcessIdentity] = []
        for i in 1...4 { writers.append(try harness.spawnCounter("f\(i)", prefix: "f\(i)", count: count, rate: 0, pad: 100)) }
        XCTAssertTrue(Wait.until(timeout: 30) { harness.numbers("f1", prefix: "f1").count > 100 })
        XCTAssertTrue(Signals.send(Signal(SIGSTOP), to: logd))
        let stoppedAt = Clock.monotonic()
        _ = Wait.until(timeout: 20.5) { Clock.monotonic() - stoppedAt >= 20 }
        XCTAssertFalse(writers.allSatisfy(harness.hasExited), "the flood ended before the log writer was stopped")
        XCTAssertTrue(Signals.send(.continue, to: logd))
        assertEveryLineOnce(Dictionary(uniqueKeysWithValues: (1...4).map { ("f\($0)", count) }), writers: writers)
    }

    /// Rotation at 64 KiB while both streams of a daemon and another writer (as the
    /// monitor's lifecycle records do) append to the same log, with the log writer killed
    /// twice: no line lost, repeated or split, no file past the limit.
    func testRotationWhileWritingAndKilled() throws {
        harness.environment["TEND_LOG_MAX_BYTES"] = "64k"
        harness.environment["TEND_LOG_BACKUPS"] = "400"
        try harness.startLogd()
        let count = 20_000
        let out = try harness.spawnCounter("rot", prefix: "out", count: count, rate: 0)
        let err = try harness.spawnCounter("rot", prefix: "err", count: count, rate: 0, fd: 2)
        let other = RotatingLogFile(path: harness.home.daemonLog("rot"), options: RotationOptions(maxBytes: 64 * 1024, backups: 400))
        for i in 1...300 {
            try other.append(line: LogRecord(level: .info, daemon: "rot", msg: "other \(i)").jsonLine())
            if i == 100 || i == 200 { harness.killLogd(); try harness.startLogd() }
            _ = Poller.waitReadable([], timeout: 0.002)
        }
        XCTAssertTrue(Wait.until(timeout: 120) { [out, err].allSatisfy(harness.hasExited) })
        XCTAssertTrue(Wait.until(timeout: 120, every: 0.2) {
            harness.numbers("rot", prefix: "out").count >= count && harness.numbers("rot", prefix: "err", stream: .stderr).count >= count
        }, harness.logdLog())
        XCTAssertEqual(CaptureTests.firstDifference(harness.numbers("rot", prefix: "out"), count), nil)
        XCTAssertEqual(CaptureTests.firstDifference(harness.numbers("rot", prefix: "err", stream: .stderr), count), nil)
        let others = harness.records("rot").filter { $0.msg.hasPrefix("other ") }.map { Int($0.msg.dropFirst(6)) }
        XCTAssertEqual(others, (1...300).map { $0 })
        XCTAssertEqual(harness.records("rot").filter { $0.msg.hasPrefix("UNPARSABLE") }.count, 0)
        let files = try FileSystem.list(harness.home.daemonLogsDir).filter { $0.hasPrefix("rot.log") }
        XCTAssertGreaterThan(files.count, 10, "the log did not rotate")
        for name in files {
            XCTAssertLessThanOrEqual(FileSystem.info("\(harness.home.daemonLogsDir)/\(name)")?.size ?? 0, 64 * 1024, name)
        }
    }

    // MARK: - What the records say

    /// stdout and stderr lines are tagged with their stream; FIFOs made after the log
    /// writer started are found; removing them lets them go. Started through the API the
    /// monitor uses, which writes logd.pid (the PID alone) and the identity record.
    func testStreamsAreTaggedAndFifosComeAndGo() throws {
        let pid = try LogWriterProcess.launch(home: harness.home, executable: CommandRunner.tendBinary)
        let logd = try XCTUnwrap(Wait.value(timeout: 30) { LogWriterProcess.running(self.harness.home) })
        XCTAssertEqual(logd.pid, pid)
        XCTAssertEqual(try FileSystem.readText(harness.home.logWriterPidFile), "\(pid)\n")
        try harness.spawnDaemon("svc.v2", ["/bin/sh", "-c", "echo out1; echo err1 >&2; echo out2; echo err2 >&2; exec sleep 30"])
        XCTAssertTrue(Wait.until(timeout: 30) { self.harness.records("svc.v2").count == 4 }, "\(harness.records("svc.v2"))")
        let byStream = Dictionary(grouping: harness.records("svc.v2"), by: { $0.fields["stream"]?.stringValue ?? "?" })
        XCTAssertEqual(byStream["stdout"]?.map(\.msg), ["out1", "out2"])
        XCTAssertEqual(byStream["stderr"]?.map(\.msg), ["err1", "err2"])
        XCTAssertTrue(harness.records("svc.v2").allSatisfy { $0.level == .info && $0.daemon == "svc.v2" })

        let state = "\(harness.home.captureStateDir)/svc.v2.stdout"
        XCTAssertTrue(FileSystem.exists(state))
        try CaptureFifos.remove(harness.home, daemon: "svc.v2")
        XCTAssertTrue(Wait.until(timeout: 30) { !FileSystem.exists(state) }, "the log writer kept a removed FIFO")

        // SIGTERM: it stops, and takes its PID file with it.
        XCTAssertTrue(Signals.send(.terminate, to: logd))
        var status: Int32 = 0
        XCTAssertEqual(waitpid(pid, &status, 0), pid)
        XCTAssertEqual(status, 0)
        XCTAssertFalse(FileSystem.exists(harness.home.logWriterPidFile))
    }

    /// A prompt without a newline is logged, marked partial, once it has waited a second.
    func testALineWithoutNewlineIsLoggedAfterItsDelay() throws {
        try harness.startLogd()
        let before = Clock.now()
        try harness.spawnDaemon("ask", ["/bin/sh", "-c", "printf 'password: '; exec sleep 30"])
        let record = try XCTUnwrap(Wait.value(timeout: 30) { self.harness.records("ask").first })
        XCTAssertEqual(record.msg, "password: ")
        XCTAssertEqual(record.fields["partial"], .bool(true))
        XCTAssertGreaterThanOrEqual(record.ts - before, 0.95, "logged before it waited its second")
    }

    /// Lines far longer than the line limit, and longer than the pipe itself, are cut
    /// into records; put together again they are the lines, and nothing after them is lost.
    func testVeryLongLinesAreSplitAndNothingIsLost() throws {
        try harness.startLogd()
        let script = "import os\nfor data in [b'x' * 300000 + b'\\n', b'y' * 2500000 + b'\\n', b'after\\n']:\n"
            + "    while data:\n        data = data[os.write(1, data):]\n"
        try harness.spawnDaemon("long", ["python3", "-c", script])
        XCTAssertTrue(Wait.until(timeout: 60) { self.harness.records("long").last?.msg == "after" })
        var lines: [String] = []
        var current = ""
        for record in harness.records("long") {
            current += record.msg
            if record.fields["partial"] != .bool(true) { lines.append(current); current = "" }
        }
        XCTAssertEqual(lines.map(\.count), [300_000, 2_500_000, 5])
        XCTAssertEqual(lines, [String(repeating: "x", count: 300_000), String(repeating: "y", count: 2_500_000), "after"])
        XCTAssertTrue(harness.records("long").allSatisfy { $0.msg.utf8.count <= LineSegmenter.defaultLimit })
    }

    // MARK: - A full disk

    /// The home on a small tmpfs, filled up: lines are taken off the pipe (the daemon
    /// does not block) and counted; once space returns "N lines dropped: disk full" is
    /// written first, then the new lines; the state files stay whole.
    func testFullDiskDropsCountsAndReports() throws {
        guard try harness.mountHomeOnTmpfs(size: "2m") else {
            throw XCTSkip("mounting a tmpfs is not permitted here (needs root)")
        }
        try harness.startLogd()
        let ends = try CaptureFifos.prepare(harness.home, daemon: "disk")
        defer { closeFD(ends.stdout); closeFD(ends.stderr) }
        func say(_ lines: [String]) throws { try FileSystem.writeAll(ends.stdout, Array(lines.map { $0 + "\n" }.joined().utf8)) }

        try say((1...20).map { "before \($0)" })
        XCTAssertTrue(Wait.until(timeout: 30) { self.harness.records("disk").count == 20 })
        let filler = "\(harness.home.root)/filler"
        let fd = try openAppend(filler)
        let block = [UInt8](repeating: 0, count: 4096)
        while (try? FileSystem.writeAll(fd, block)) != nil {}
        closeFD(fd)

        try say((1...50).map { "lost \($0)" })
        XCTAssertTrue(Wait.until(timeout: 30) { self.harness.commitRecord("disk", .stdout)?.dropped == 50 },
                      "not counted: \(String(describing: harness.commitRecord("disk", .stdout))) \(harness.logdLog())")
        try FileSystem.remove(filler)
        XCTAssertTrue(Wait.until(timeout: 30) { self.harness.records("disk").contains { $0.msg == "50 lines dropped: disk full" } },
                      "\(harness.records("disk").map(\.msg))")
        try say((1...5).map { "after \($0)" })
        XCTAssertTrue(Wait.until(timeout: 30) { self.harness.records("disk").count == 26 })
        let records = harness.records("disk")
        XCTAssertEqual(records.map(\.msg), (1...20).map { "before \($0)" } + ["50 lines dropped: disk full"] + (1...5).map { "after \($0)" })
        XCTAssertEqual(records[20].level, .warning)
        XCTAssertEqual(records[20].fields["dropped"], .int(50))
        XCTAssertEqual(harness.commitRecord("disk", .stdout)?.dropped, 0)
        XCTAssertNotNil(harness.commitRecord("disk", .stderr), "the stderr state file is not whole")
        XCTAssertEqual(harness.logdLog().components(separatedBy: "No space left on device").count - 1, 1, harness.logdLog())
    }
}

/// The cases a SIGKILL leaves too rarely to meet by chance, made by hand: the state a
/// killed log writer leaves when it died in the middle of its write (a torn record).
final class CaptureRecoveryTests: CaptureTestCase {

    let source = "one\ntwo\nthree\n"
    let ts = 1_764_063_000.5

    /// Puts `source` in the FIFO and leaves what a writer killed after `tornAt` bytes of
    /// its write leaves: that much of the records in the log and its commit record.
    func leaveTornWrite(tornAt: Int, thenAppend other: String? = nil) throws {
        let ends = try CaptureFifos.prepare(harness.home, daemon: "t")
        try FileSystem.writeAll(ends.stdout, Array(source.utf8))
        let sourceBytes = Array(source.utf8)
        let records = sourceBytes.withUnsafeBufferPointer { buf in
            CaptureEncoder(daemon: "t", stream: .stdout).records(LineSegmenter.split(buf, takeTail: true), of: buf, at: ts)
        }
        let written = records.flatMap(\.bytes)
        try FileSystem.makeDirectory(harness.home.daemonLogsDir, mode: 0o700)
        let log = harness.home.daemonLog("t")
        try FileSystem.writeAtomically(log, Array(written.prefix(tornAt)) + Array((other ?? "").utf8), durable: false)
        let logInfo = try XCTUnwrap(FileSystem.info(log))
        var r = CommitRecord()
        r.phase = .write
        r.sequence = 7
        r.boot = ContentHash.of(ProcessTable.bootIdentifier().utf8)
        r.fifoInode = try XCTUnwrap(FileSystem.info(CaptureFifos.path(harness.home, daemon: "t", stream: .stdout))).inode
        r.logDevice = logInfo.device
        r.logInode = logInfo.inode
        r.logOffset = 0
        r.logLength = written.count
        r.logHash = ContentHash.of(written)
        r.time = ts
        r.sourceLength = sourceBytes.count
        r.sourceHash = ContentHash.of(sourceBytes)
        r.tallyBase = Int64(CommitRecord.size)
        try FileSystem.makeDirectory(harness.home.captureStateDir, mode: 0o700)
        try FileSystem.writeAtomically("\(harness.home.captureStateDir)/t.stdout", r.encoded(), durable: false)
    }

    func messages() -> [String] { harness.records("t").map(\.msg) }

    func testATornWriteIsCompletedWithEveryLineOnce() throws {
        // The kill came in the middle of the second record.
        let firstRecordLength = try XCTUnwrap(LogRecord(ts: ts, level: .info, daemon: "t", msg: "one",
                                                        fields: ["stream": .string("stdout")]).jsonLine().utf8.count + 1)
        try leaveTornWrite(tornAt: firstRecordLength + 20)
        try harness.startLogd()
        XCTAssertTrue(Wait.until(timeout: 30) { self.messages().count >= 3 }, harness.logdLog())
        XCTAssertEqual(messages(), ["one", "two", "three"])
        XCTAssertTrue(harness.logdLog().contains("kept the 1 records of a write torn by a crash"), harness.logdLog())
        XCTAssertNotNil(harness.commitRecord("t", .stdout), "the state file is not whole")
    }

    func testATornWriteFollowedByAnotherWriterKeepsTheirRecords() throws {
        let other = LogRecord(level: .info, daemon: "t", msg: "lifecycle").jsonLine() + "\n"
        try leaveTornWrite(tornAt: 30, thenAppend: "\n" + other)
        try harness.startLogd()
        XCTAssertTrue(Wait.until(timeout: 30) { self.messages().filter { !$0.hasPrefix("UNPARSABLE") }.count >= 4 }, harness.logdLog())
        // The torn piece of the first record stays (another writer's record follows it);
        // every line is there once, whole.
        XCTAssertEqual(messages().filter { !$0.hasPrefix("UNPARSABLE") }, ["lifecycle", "one", "two", "three"])
    }

    func testAWriteThatLandedWholeIsNotWrittenAgain() throws {
        try leaveTornWrite(tornAt: Int.max)
        try harness.startLogd()
        XCTAssertTrue(Wait.until(timeout: 30) { self.harness.logdLog().contains("a write in flight was in the log") }, harness.logdLog())
        let ends = try CaptureFifos.prepare(harness.home, daemon: "t")
        try FileSystem.writeAll(ends.stdout, Array("four\n".utf8))
        XCTAssertTrue(Wait.until(timeout: 30) { self.messages().count >= 4 })
        XCTAssertEqual(messages(), ["one", "two", "three", "four"])
    }
}
