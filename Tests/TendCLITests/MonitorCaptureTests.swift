import XCTest
import TendCore
import TendSystem
import TendTestSupport
#if canImport(Glibc)
import Glibc
#endif

/// Capture end to end through the monitor, with real processes: daemons declared in
/// daemons.lua and started by `tend start`, their output on the FIFOs the monitor holds,
/// logged by the log writer the monitor starts, adopts and restarts (`tend __logd`). The
/// monitor is SIGKILLed and SIGSTOPped, the log writer SIGKILLed, a daemon leaves the
/// configuration: every line lands once, in order, and nothing is left behind.
final class MonitorCaptureTests: CLITestCase {
    var home: Home { Home(root: temp.home) }
    var countsDir: String { "\(temp.root)/counts" }

    override func setUpWithError() throws {
        try super.setUpWithError()
        try temp.write("counter.py", Self.counterScript)
        try FileSystem.makeDirectory(countsDir, mode: 0o700)
    }

    /// `counter.py NAME RATE BATCH PAD LIMIT COUNTFILE`: prints `NAME 0000001 WALLTIME`,
    /// `NAME 0000002 …` on stdout, RATE lines a second in writes of BATCH lines, each line
    /// padded with PAD x's; after LIMIT lines (0: no limit) it stops printing. It writes
    /// the number of lines it printed to COUNTFILE once it stops printing (the limit or
    /// SIGTERM), and exits on SIGTERM.
    static let counterScript = """
    import os, signal, sys, time
    name, rate, batch, pad, limit, out = sys.argv[1], float(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), sys.argv[6]
    padding = " " + "x" * pad if pad > 0 else ""
    stopping = False
    def term(*_):
        global stopping
        stopping = True
    signal.signal(signal.SIGTERM, term)
    def note(count):
        with open(out + ".tmp", "w") as f:
            f.write(str(count))
        os.rename(out + ".tmp", out)
    i, start = 0, time.monotonic()
    while not stopping and (limit == 0 or i < limit):
        lines = []
        for _ in range(batch if limit == 0 else min(batch, limit - i)):
            i += 1
            lines.append("%s %07d %.6f%s\\n" % (name, i, time.time(), padding))
        data = "".join(lines).encode()
        while data:
            data = data[os.write(1, data):]
        delay = start + i / rate - time.monotonic()
        if delay > 0:
            time.sleep(delay)
    note(i)
    while not stopping:
        time.sleep(0.05)
    """

    /// A daemon running counter.py.
    func counter(_ name: String, rate: Int, batch: Int = 1, pad: Int = 0, limit: Int = 0) -> String {
        let args = ["/usr/bin/python3", "\(temp.root)/counter.py", name, String(rate), String(batch), String(pad), String(limit),
                    "\(countsDir)/\(name)"]
        return "daemon \"\(name)\" { command = { \(args.map { "\"\($0)\"" }.joined(separator: ", ")) }, stop_timeout = 20 }\n"
    }

    /// How many lines the daemon says it printed; nil until it stopped printing.
    func printed(_ name: String) -> Int? {
        (try? FileSystem.readTextIfPresent("\(countsDir)/\(name)")).flatMap { $0 }.flatMap { Int($0) }
    }

    /// Bytes waiting in the daemon's two FIFOs (not yet taken off by the log writer); nil
    /// when a FIFO cannot be opened. The log writer appends a batch to the log before it
    /// takes the bytes off the pipe, so an empty pipe means every byte is in the log.
    func bytesInPipes(_ name: String) -> Int? {
        var total = 0
        for stream in CaptureStream.allCases {
            guard let fd = try? Fifo.openReadWrite(CaptureFifos.path(home, daemon: name, stream: stream), nonBlocking: true) else { return nil }
            defer { closeFD(fd) }
            var n: Int32 = 0
            guard ioctl(fd, UInt(FIONREAD), &n) == 0 else { return nil }
            total += Int(n)
        }
        return total
    }

    /// Waits until every daemon has stopped printing and the log writer has taken all
    /// they printed off their pipes, then checks that each log holds 1…count once, in
    /// order. Returns the counts.
    @discardableResult
    func assertEveryLineOnce(_ names: [String], timeout: Double = 90,
                             file: StaticString = #filePath, line: UInt = #line) -> [String: Int] {
        XCTAssertTrue(Wait.until(timeout: timeout) { names.allSatisfy { printed($0) != nil } },
                      "not every daemon said how much it printed: \(names.filter { printed($0) == nil })", file: file, line: line)
        XCTAssertTrue(Wait.until(timeout: timeout, every: 0.05) { names.allSatisfy { bytesInPipes($0) == 0 } },
                      "the log writer did not drain the pipes: \(names.map { "\($0): \(bytesInPipes($0).map(String.init) ?? "?")" }); "
                        + "logd.log:\n\(logdLog())", file: file, line: line)
        var counts: [String: Int] = [:]
        for name in names {
            let count = printed(name) ?? -1
            counts[name] = count
            let numbers = CaptureHarness.numbers(in: home, name, prefix: name)
            XCTAssertGreaterThan(count, 0, "\(name) printed nothing", file: file, line: line)
            XCTAssertNil(CaptureTests.firstDifference(numbers, count), "\(name): lines missing, repeated or out of order; logd.log:\n\(logdLog())",
                         file: file, line: line)
            let unparsable = CaptureHarness.records(in: home, name).filter { $0.msg.hasPrefix("UNPARSABLE") }
            XCTAssertEqual(unparsable.map(\.msg), [], "\(name): torn or glued records", file: file, line: line)
        }
        return counts
    }

    func logdLog() -> String { (try? FileSystem.readTextIfPresent(home.logWriterLog)).flatMap { $0 } ?? "(no logd.log)" }

    /// The running log writer, verified against /proc: the lock is held, `logd.pid` and
    /// `.run/logd.json` name it, its start time is the kernel's, and it is `tend __logd`
    /// for this home.
    func verifiedLogWriter() -> ProcessIdentity? {
        guard let logd = LogWriterProcess.running(home), ProcessTable.identity(of: logd.pid) == logd,
              let argv = ProcessTable.snapshot(logd.pid, withCommandLine: true)?.commandLine,
              argv.dropFirst().prefix(3) == [LogWriterProcess.role, "--home", home.root] else { return nil }
        return logd
    }

    /// Processes of `name`'s tree that run now (by their environment).
    func processes(of name: String) -> [ProcessIdentity] {
        ProcessTable.processes(withEnvironment: "TEND_HOME=\(temp.home)", reporting: "TEND_DAEMON")
            .filter { $0.value == name && !$0.process.isZombie }.map(\.process.identity)
    }

    func runningMonitor() -> ProcessIdentity? {
        guard let record = MonitorProcess.running(home), ProcessTable.check(record.identity) == .alive else { return nil }
        return record.identity
    }

    /// SIGKILLs `identity` (verified) and waits until it is gone.
    func kill9(_ identity: ProcessIdentity, _ what: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertTrue(Signals.send(.kill, to: identity), "\(what) \(identity.pid) could not be signalled", file: file, line: line)
        XCTAssertTrue(Wait.until(timeout: 20) { ProcessTable.check(identity) != .alive }, "\(what) survived SIGKILL", file: file, line: line)
    }

    // MARK: - The monitor killed

    /// Eight daemons print numbered lines at 1 kHz while the monitor is SIGKILLed 20 times
    /// at random moments and started again — by `tend monitor --detach` or `tend start
    /// --all` (which adopt the daemons and the running log writer), or as a bare `tend
    /// monitor` killed while it starts up. The log writer is SIGKILLed five times in
    /// between: three times while a monitor runs (it starts another), twice while none
    /// does (the next monitor starts one). Every line lands once, in order, across
    /// rotation; every daemon is the process it was, and runs once.
    func testEveryLineOnceWhileTheMonitorIsKilledTwentyTimes() throws {
        extraEnvironment = ["TEND_LOG_MAX_BYTES": "256k", "TEND_LOG_BACKUPS": "100"]
        let names = (1...8).map { "w\($0)" }
        try temp.writeDaemons(names.map { counter($0, rate: 1000) }.joined())
        let began = Clock.monotonic()
        try tend("start", "--all")
        let pids = try Dictionary(uniqueKeysWithValues: names.map { ($0, try XCTUnwrap(try pid(of: $0), "\($0) not running")) })
        XCTAssertTrue(Wait.until(timeout: 30) { names.allSatisfy { !CaptureHarness.records(in: self.home, $0).isEmpty } },
                      "no output logged: \(logdLog())")
        let devNull = try openAppend("/dev/null")
        defer { closeFD(devNull) }
        var logdKills = 0, startupKills = 0, beforeClaim = 0
        var logdBack: [Double] = []
        for round in 1...20 {
            // Killed while it starts: before it answers, perhaps before it adopted anything.
            let duringStartup = round % 4 == 0
            var bare: ProcessIdentity?
            if round > 1 {
                if duringStartup {
                    let pid = try Spawner.spawn([CommandRunner.tendBinary, "monitor"], environment: temp.environment.merging(extraEnvironment) { $1 },
                                                output: devNull)
                    bare = ProcessTable.identity(of: pid) ?? ProcessIdentity(pid: pid, startTime: 0)
                    extraProcesses.append(bare!)
                } else if round % 2 == 0 {
                    try tend("monitor", "--detach")
                } else {
                    try tend("start", "--all")
                }
            }
            _ = Poller.waitReadable([], timeout: Double.random(in: duringStartup ? 0...0.1 : 0...1.5))
            if round % 6 == 3 {
                // The log writer, while a monitor runs (its child, or one it adopted).
                let logd = try XCTUnwrap(verifiedLogWriter(), "no log writer in round \(round): \(logdLog())")
                kill9(logd, "the log writer")
                logdKills += 1
                let killedAt = Clock.monotonic()
                let next = Wait.value(timeout: 20) { self.verifiedLogWriter().flatMap { $0 == logd ? nil : $0 } }
                XCTAssertNotNil(next, "round \(round): the monitor did not start another log writer; logd.log:\n\(logdLog())")
                logdBack.append(Clock.monotonic() - killedAt)
                _ = Poller.waitReadable([], timeout: Double.random(in: 0...0.3))
            }
            if let bare {
                if MonitorProcess.running(home)?.pid != bare.pid { beforeClaim += 1 }
                kill9(bare, "the starting monitor")
                var status: Int32 = 0
                waitpid(bare.pid, &status, 0)
                startupKills += 1
            } else {
                kill9(try XCTUnwrap(runningMonitor(), "round \(round): no monitor runs"), "the monitor")
            }
            if round % 6 == 0 && !duringStartup, let logd = verifiedLogWriter() {
                // The log writer, while no monitor runs: the next one starts one.
                kill9(logd, "the log writer")
                logdKills += 1
            }
        }
        XCTAssertEqual(logdKills, 5, "a log writer was not there to be killed")
        try tend("monitor", "--detach")
        let killing = Clock.monotonic() - began
        for name in names {
            XCTAssertEqual(try pid(of: name), pids[name], "\(name) is not the process it was")
            XCTAssertEqual(processes(of: name).count, 1, "\(name) runs \(processes(of: name).count) times")
        }
        try tend("stop", "--all")
        let counts = assertEveryLineOnce(names)
        for name in names {
            XCTAssertEqual(processes(of: name).count, 0, "\(name) still runs after stop")
        }
        // Adopted every time, never started again: no restart in any history.
        for name in names {
            let events = try historyEvents(name)
            XCTAssertEqual(events.count, 0, "\(name) was restarted: \(events)")
        }
        XCTAssertNotNil(verifiedLogWriter(), "no log writer at the end")
        let rotated = try FileSystem.list(home.daemonLogsDir).filter { $0.hasPrefix("w1.log.") }.count
        let recoveries = logdLog().split(separator: "\n").filter { $0.contains("in flight") || $0.contains("torn") }.count
        XCTAssertGreaterThan(rotated, 0, "the log did not rotate")
        print("monitor-kills: \(counts.values.reduce(0, +)) lines (\(counts.values.min()!)…\(counts.values.max()!) per daemon), "
              + "20 monitor kills (\(startupKills) while it started, \(beforeClaim) of them before it held the home), \(logdKills) log writer kills (back after "
              + "\(logdBack.map { String(format: "%.2f", $0) }.joined(separator: ", ")) s with a monitor running), "
              + "\(String(format: "%.1f", killing)) s of killing, \(rotated) rotated files of w1, \(recoveries) batches in flight settled by a new log writer")
    }

    // MARK: - The monitor stopped

    /// The monitor is SIGSTOPped for 20 s while four daemons flood (3.9 MB each at 390
    /// kB/s, nearly four times what a pipe holds): capture goes on without it (every line is in the logs
    /// before SIGCONT), and after SIGCONT the monitor answers and nothing is lost.
    func testCaptureGoesOnWhileTheMonitorIsStoppedForTwentySeconds() throws {
        let names = (1...4).map { "f\($0)" }
        let lines = 30_000
        try temp.writeDaemons(names.map { counter($0, rate: 3000, batch: 30, pad: 100, limit: lines) }.joined())
        try tend("start", "--all")
        let monitor = try XCTUnwrap(runningMonitor())
        XCTAssertTrue(Wait.until(timeout: 30) { CaptureHarness.records(in: self.home, "f1").count > 100 }, logdLog())
        XCTAssertTrue(Signals.send(Signal(SIGSTOP), to: monitor))
        defer { _ = Signals.send(.continue, to: monitor) }
        let stoppedAt = Clock.monotonic()
        XCTAssertTrue(names.allSatisfy { printed($0) == nil }, "the flood ended before the monitor was stopped")
        // Capture goes on: the floods end and the log writer empties the pipes, all while
        // the monitor is stopped.
        XCTAssertTrue(Wait.until(timeout: 19) { names.allSatisfy { printed($0) == lines && bytesInPipes($0) == 0 } },
                      "the flood did not get through while the monitor was stopped: "
                        + "\(names.map { "\($0): printed \(printed($0).map(String.init) ?? "-"), \(bytesInPipes($0) ?? -1) bytes in the pipes" })")
        let flooded = Clock.monotonic() - stoppedAt
        XCTAssertEqual(ProcessTable.snapshot(monitor.pid, withCommandLine: false)?.state, "T", "the monitor did not stay stopped")
        _ = Wait.until(timeout: 21) { Clock.monotonic() - stoppedAt >= 20 }
        XCTAssertTrue(Signals.send(.continue, to: monitor))
        XCTAssertEqual(try status("f1")["state"] as? String, "RUNNING", "the monitor does not answer after SIGCONT")
        XCTAssertEqual(runningMonitor(), monitor)
        try tend("stop", "--all")
        let counts = assertEveryLineOnce(names)
        XCTAssertEqual(counts, Dictionary(uniqueKeysWithValues: names.map { ($0, lines) }))
        print("monitor-stopped: \(lines * names.count) lines of 130 bytes, all logged \(String(format: "%.1f", flooded)) s into the 20 s stop")
    }

    // MARK: - The log writer killed

    /// kill -9 of the log writer: the monitor starts another (identity verified) within a
    /// bound, and a second kill right after is answered a second after the last start (the
    /// rate limit); what the daemon printed while no log writer ran is logged, once.
    func testTheMonitorRestartsAKilledLogWriter() throws {
        try temp.writeDaemons(counter("g", rate: 1000))
        try tend("start", "g")
        let monitor = try XCTUnwrap(runningMonitor())
        let first = try XCTUnwrap(Wait.value(timeout: 30) { self.verifiedLogWriter() }, logdLog())
        XCTAssertTrue(Wait.until(timeout: 30) { CaptureHarness.records(in: self.home, "g").count > 50 }, logdLog())

        kill9(first, "the log writer")
        var killedAt = Clock.monotonic()
        let second = try XCTUnwrap(Wait.value(timeout: 10) { self.verifiedLogWriter().flatMap { $0 == first ? nil : $0 } },
                                   "no new log writer within 10 s: \(logdLog())")
        let firstGap = Clock.monotonic() - killedAt
        XCTAssertLessThan(firstGap, 5, "the log writer came back only after \(firstGap) s")

        kill9(second, "the log writer")
        killedAt = Clock.monotonic()
        let killedAtWall = Clock.now()
        let third = try XCTUnwrap(Wait.value(timeout: 10) { self.verifiedLogWriter().flatMap { $0 == second ? nil : $0 } },
                                  "no new log writer within 10 s: \(logdLog())")
        let secondGap = Clock.monotonic() - killedAt
        XCTAssertLessThan(secondGap, 5)
        let thirdStarted = try XCTUnwrap(ProcessTable.snapshot(third.pid, withCommandLine: false)).startedAt
        XCTAssertEqual(runningMonitor(), monitor, "the monitor changed")

        XCTAssertTrue(Wait.until(timeout: 30) { (CaptureHarness.numbers(in: self.home, "g", prefix: "g").last ?? 0) > 0
                && CaptureHarness.records(in: self.home, "g").last.map { $0.ts > thirdStarted } == true }, logdLog())
        try tend("stop", "g")
        assertEveryLineOnce(["g"])
        // The lines printed between the second kill and the third writer's start: no log
        // writer ran, and each of them is in the log (once, as all are).
        let meanwhile = CaptureHarness.records(in: home, "g").filter { record in
            let parts = record.msg.split(separator: " ")
            guard parts.count >= 3, let printedAt = Double(parts[2]) else { return false }
            return printedAt > killedAtWall && printedAt < thirdStarted
        }
        XCTAssertGreaterThan(meanwhile.count, 0, "nothing was printed while no log writer ran (the test proves nothing)")
        print("logd-killed: back after \(String(format: "%.2f", firstGap)) s and \(String(format: "%.2f", secondGap)) s; "
              + "\(meanwhile.count) lines printed while none ran, all logged")
    }

    // MARK: - A daemon that leaves the configuration

    /// Daemons removed from daemons.lua: one stopped before, one running (stopped after),
    /// and one stopped and removed across a monitor restart. Their FIFOs are removed and
    /// the log writer lets them go: its descriptors are what they were before the daemons
    /// were declared, and none names their pipes or logs. Their last lines are logged.
    func testARemovedDaemonsPipesAreLetGo() throws {
        let keep = daemon("k", "echo hello k; exec sleep 1000")
        try temp.writeDaemons(keep)
        try tend("start", "k")
        let logd = try XCTUnwrap(Wait.value(timeout: 30) { self.verifiedLogWriter() }, logdLog())
        XCTAssertTrue(Wait.until(timeout: 30) { CaptureHarness.records(in: self.home, "k").contains { $0.msg == "hello k" } }, logdLog())
        let before = try descriptors(of: logd)

        let gone = ["a", "b", "c", "d"]
        try temp.writeDaemons(keep + gone.map { daemon($0, "echo hello \($0); exec sleep 1000") }.joined())
        try tend("start", "a", "b", "c", "d")
        XCTAssertTrue(Wait.until(timeout: 30) { gone.allSatisfy { name in
            CaptureHarness.records(in: self.home, name).contains { $0.msg == "hello \(name)" } } }, logdLog())
        let during = try descriptors(of: logd)
        for name in gone {
            XCTAssertTrue(during.contains { $0.contains("/.fifo/\(name).stdout") }, "the log writer does not hold \(name)'s FIFO: \(during)")
        }

        // a: stopped, then removed. c: stopped, then removed by the next monitor (which
        // never started it). d: stopped, then removed while no monitor ran. b: running
        // across the monitor's restart (adopted), removed while it runs, then stopped.
        try tend("stop", "a")
        let bAndC = daemon("b", "echo hello b; exec sleep 1000") + daemon("c", "echo hello c; exec sleep 1000")
        try temp.writeDaemons(keep + bAndC + daemon("d", "echo hello d; exec sleep 1000"))
        try tend("reload")
        try tend("stop", "c", "d")
        kill9(try XCTUnwrap(runningMonitor()), "the monitor")
        try temp.writeDaemons(keep + bAndC)
        try tend("monitor", "--detach")
        try temp.writeDaemons(keep)
        try tend("reload")
        try tend("stop", "b")
        XCTAssertEqual(verifiedLogWriter(), logd, "the log writer changed")

        for name in gone {
            XCTAssertTrue(Wait.until(timeout: 30) {
                CaptureStream.allCases.allSatisfy { !FileSystem.exists(CaptureFifos.path(self.home, daemon: name, stream: $0)) }
            }, "\(name)'s FIFOs are still there: \((try? FileSystem.list(home.fifoDir)) ?? [])")
        }
        XCTAssertTrue(Wait.until(timeout: 30) { (try? self.descriptors(of: logd)) == before },
                      "the log writer's descriptors: before \(before), now \((try? descriptors(of: logd)) ?? [])")
        XCTAssertTrue(try FileSystem.list(home.captureStateDir).allSatisfy { !gone.contains(CaptureFifos.parse(fileName: $0)?.daemon ?? "") },
                      "state files left: \((try? FileSystem.list(home.captureStateDir)) ?? [])")
        for name in gone {
            XCTAssertEqual(CaptureHarness.records(in: home, name).filter { $0.msg == "hello \(name)" }.count, 1)
        }
        XCTAssertEqual(processes(of: "k").count, 1)
    }

    /// What the process's descriptors point at (`/proc/PID/fd/N` targets), sorted.
    func descriptors(of process: ProcessIdentity) throws -> [String] {
        try FileSystem.list("/proc/\(process.pid)/fd").compactMap { fd -> String? in
            var buffer = [CChar](repeating: 0, count: 4096)
            let n = readlink("/proc/\(process.pid)/fd/\(fd)", &buffer, buffer.count - 1)
            guard n > 0 else { return nil }   // the listing's own descriptor, closed meanwhile
            return String(decoding: buffer.prefix(n).map { UInt8(bitPattern: $0) }, as: UTF8.self)
        }.sorted()
    }
}
