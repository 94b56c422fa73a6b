import XCTest
import TendSystem
import TendTestSupport
#if canImport(Glibc)
import Glibc
#endif

/// The home on a 2 MB tmpfs filled to 100 %: commands say what they could not record,
/// status agrees with /proc at every step, nothing runs twice, no file is half-written.
final class FullDiskTests: CLITestCase {
    var disk: String { "\(temp.root)/disk" }
    var fill: String { "\(disk)/fill" }
    var mounted = false

    override func setUpWithError() throws {
        try super.setUpWithError()
        guard getuid() == 0 else { throw XCTSkip("mounting a tmpfs needs root") }
        try FileSystem.makeDirectory(disk, mode: 0o700)
        let m = try CommandRunner.run(["/bin/mount", "-t", "tmpfs", "-o", "size=2m,mode=0700", "tmpfs", disk])
        guard m.code == 0 else { throw XCTSkip("cannot mount a tmpfs here: \(m.stderr)") }
        mounted = true
    }

    override func tearDown() {
        // Every process started for the home on the disk (TempHome knows only its own home).
        let started = TempHome.killEverything(startedFor: "\(disk)/home")
        _ = Wait.until(timeout: 10) { started.allSatisfy { ProcessTable.check($0) != .alive } }
        if mounted { _ = try? CommandRunner.run(["/bin/umount", "-l", disk]) }
        super.tearDown()
    }

    /// The environment of every command: the home on the small disk.
    var env: [String: String] {
        var e = temp.environment
        e["TEND_HOME"] = "\(disk)/home"
        return e
    }

    @discardableResult
    func run(_ args: String...) throws -> CommandRunner.Result {
        try CommandRunner.tend(args, env: env, timeout: 60)
    }

    func fillTheDisk() throws {
        _ = try CommandRunner.run(["/bin/sh", "-c", "cat /dev/zero > \(fill) 2>/dev/null; true"])
        // The last blocks: small files until nothing more fits.
        _ = try CommandRunner.run(["/bin/sh", "-c", "i=0; while echo x > \(disk)/tiny.$i 2>/dev/null; do i=$((i+1)); done; true"])
        let df = try CommandRunner.run(["/bin/df", "--output=avail", disk]).stdout
        XCTAssertEqual(df.split(separator: "\n").last.map { $0.trimmingCharacters(in: .whitespaces) }, "0", "not full: \(df)")
    }

    func freeTheDisk() throws {
        _ = try CommandRunner.run(["/bin/sh", "-c", "rm -f \(fill) \(disk)/tiny.*"])
    }

    /// The daemon's process as /proc has it: the top of its tree running its command.
    func realPID(_ name: String) -> Int32? {
        let mine = ProcessTable.processes(withEnvironment: "TEND_HOME=\(disk)/home", reporting: "TEND_DAEMON")
            .filter { $0.value == name }.map(\.process)
        let pids = Set(mine.map(\.pid))
        return mine.first { !pids.contains($0.parentPID) && ProcessTable.commandLine($0.pid) == ["sleep", "1000"] }?.pid
    }

    func copies(_ name: String) -> Int {
        ProcessTable.processes(withEnvironment: "TEND_HOME=\(disk)/home", reporting: "TEND_DAEMON")
            .filter { $0.value == name && ProcessTable.commandLine($0.process.pid) == ["sleep", "1000"] }.count
    }

    /// `tend status` and /proc tell the same story for every daemon.
    func assertStatusAgreesWithProc(_ step: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let out = try run("status", "--format", "json")
        XCTAssertEqual(out.code, 0, "status at \(step): \(out)", file: file, line: line)
        let daemons = (try JSONSerializationLite.parse(out.stdout)["daemons"] as? [[String: Any]]) ?? []
        for d in daemons {
            let name = d["daemon"] as? String ?? "?"
            let real = realPID(name)
            let said = (d["state"] as? String == "RUNNING") ? (d["pid"] as? Int).map(Int32.init) : nil
            XCTAssertEqual(said, real, "\(step): status says \(name) is \(d["state"] ?? "?") \(d["pid"] ?? ""), /proc says \(real.map(String.init) ?? "not running")", file: file, line: line)
        }
    }

    func assertEveryFileWhole(file: StaticString = #filePath, line: UInt = #line) throws {
        for dir in [".state", ".restarts"] {
            for f in try FileSystem.list("\(disk)/home/\(dir)") where f.hasSuffix(".json") {
                let text = try FileSystem.readText("\(disk)/home/\(dir)/\(f)")
                XCTAssertNotNil(try? JSONSerializationLite.parseAny(text), "\(dir)/\(f) is not whole: \(text)", file: file, line: line)
            }
        }
        for f in try FileSystem.list("\(disk)/home/.pids") {
            let text = try FileSystem.readText("\(disk)/home/.pids/\(f)")
            XCTAssertNotNil(Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)), ".pids/\(f) is not whole: \(text)", file: file, line: line)
        }
    }

    func testAFullDiskIsHandledHonestly() throws {
        try temp.writeDaemons(daemon("a", "exec sleep 1000") + daemon("b", "exec sleep 1000") + daemon("c", "exec sleep 1000"))
        XCTAssertEqual(try run("start", "a", "b").code, 0)
        XCTAssertTrue(Wait.until { self.realPID("a") != nil && self.realPID("b") != nil })
        try fillTheDisk()
        try assertStatusAgreesWithProc("full, before anything")

        let restart = try run("restart", "a")
        XCTAssertNotEqual(restart.code, 0, "restart said nothing of the full disk: \(restart)")
        XCTAssertTrue(restart.stderr.contains("No space left on device"), restart.description)
        try assertStatusAgreesWithProc("after restart")

        let stop = try run("stop", "b")
        XCTAssertTrue(stop.stdout.contains("stopped") || stop.stderr.contains("stopped"), stop.description)
        XCTAssertTrue(Wait.until { self.realPID("b") == nil }, "b still runs")
        try assertStatusAgreesWithProc("after stop")

        let start = try run("start", "c")
        XCTAssertNotEqual(start.code, 0)
        XCTAssertTrue(start.stderr.contains("No space left on device"), start.description)
        XCTAssertTrue(Wait.until { self.realPID("c") != nil })
        try assertStatusAgreesWithProc("after start")

        let before = try XCTUnwrap(realPID("a"))
        XCTAssertEqual(kill(before, SIGKILL), 0)
        XCTAssertTrue(Wait.until { (self.realPID("a") ?? before) != before }, "not restarted on the full disk")
        try assertStatusAgreesWithProc("after kill -9")

        // Longer than the slack in a file's last page (a small record might still fit there).
        let log = try run("log", "a", String(repeating: "x", count: 9000))
        XCTAssertNotEqual(log.code, 0)
        XCTAssertTrue(log.stderr.contains("No space left on device"), log.description)
        let cleanup = try run("pid", "cleanup")
        XCTAssertEqual(cleanup.code, 0, cleanup.description)
        try assertStatusAgreesWithProc("after pid cleanup")

        // The monitor dies while the disk is full; space returns; a new monitor starts.
        let monitor = try XCTUnwrap(Wait.value { () -> ProcessIdentity? in
            guard let pid = Int32((try? FileSystem.readText("\(self.disk)/home/monitor.pid"))?
                .trimmingCharacters(in: .whitespacesAndNewlines) ?? "") else { return nil }
            return ProcessTable.identity(of: pid)
        })
        extraProcesses.append(monitor)
        Signals.send(.kill, to: monitor)
        XCTAssertTrue(Wait.until { ProcessTable.check(monitor) != .alive })
        try freeTheDisk()
        XCTAssertEqual(try run("start", "a", "c").code, 0)
        try assertStatusAgreesWithProc("after space returned and a new monitor")
        for name in ["a", "c"] { XCTAssertEqual(copies(name), 1, "\(name) runs \(copies(name)) times") }
        XCTAssertEqual(copies("b"), 0)
        try assertEveryFileWhole()
    }

    /// A line the disk takes only part of (the slack in the log's last block) is not
    /// left torn in the log: the append is cut back, and `tend log` names file and disk.
    func testALogLineThatDoesNotFitLeavesTheLogAsItWas() throws {
        XCTAssertEqual(try run("log", "a", "before the disk filled").code, 0)
        let path = "\(disk)/home/logs/daemons/a.log"
        let before = try FileSystem.readText(path)
        try fillTheDisk()
        // Longer than the slack in the file's last page, so a part of it fits.
        let log = try run("log", "a", String(repeating: "x", count: 9000))
        XCTAssertNotEqual(log.code, 0, log.description)
        XCTAssertTrue(log.stderr.contains(path), "the error does not name the log: \(log)")
        XCTAssertTrue(log.stderr.contains("No space left on device"), log.description)
        let after = try FileSystem.readText(path)
        XCTAssertEqual(after.utf8.count, before.utf8.count, "a failed append changed the log")
        XCTAssertEqual(after, before)
        for line in after.split(separator: "\n") {
            XCTAssertNotNil(try? JSONSerializationLite.parseAny(String(line)), "not whole: \(line.prefix(80))…")
        }
        try freeTheDisk()
        XCTAssertEqual(try run("log", "a", "after").code, 0)
        XCTAssertEqual(try FileSystem.readText(path).split(separator: "\n").count, 2)
    }

    func testOwedWritesLandOnceSpaceReturnsWithoutAWakeUp() throws {
        try temp.writeDaemons(daemon("a", "exec sleep 1000"))
        XCTAssertEqual(try run("start", "a").code, 0)
        let first = try XCTUnwrap(Wait.value { self.realPID("a") })
        try fillTheDisk()
        XCTAssertEqual(kill(first, SIGKILL), 0)
        let second = try XCTUnwrap(Wait.value { () -> Int32? in
            guard let p = self.realPID("a"), p != first else { return nil }
            return p
        })
        try freeTheDisk()
        // No command runs now: the monitor's own retry timer writes what it owes.
        XCTAssertTrue(Wait.until(timeout: 15) {
            ((try? FileSystem.readText("\(self.disk)/home/.pids/a.pid")) ?? "").hasPrefix("\(second)\n")
        }, "the PID file was not brought up to date after space returned")
        let log = try FileSystem.readText("\(disk)/home/logs/daemons/a.log")
        XCTAssertTrue(log.contains("started pid \(second)"), "the owed lifecycle records were lost:\n\(log)")
        try assertEveryFileWhole()
    }
}
