import XCTest
import TendCore
import TendSystem
import TendTestSupport
#if canImport(Glibc)
import Glibc
#endif

/// A temporary home with a log writer (`tend __logd`) and daemons made by hand: each
/// writer process gets the write ends `CaptureFifos.prepare` returns, as the monitor's
/// spawner will. No monitor runs. Every process started is stopped by identity in
/// `cleanUp()`.
final class CaptureHarness {
    let root: String
    let home: Home
    var environment: [String: String]
    private(set) var logd: ProcessIdentity?
    private var started: [ProcessIdentity] = []
    private var mounted: String?
    private var held: [Int32] = []

    init(environment extra: [String: String] = [:]) throws {
        root = "/tmp/tend-capture-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        home = Home(root: "\(root)/home")
        try FileSystem.makeDirectory(home.root, mode: 0o700)
        environment = Spawner.currentEnvironment()
        environment["TEND_HOME"] = home.root
        for (k, v) in extra { environment[k] = v }
        try FileSystem.writeAtomically("\(root)/writer.py", text: CaptureHarness.writerScript)
    }

    /// Mounts a tmpfs of `size` (e.g. "2m") on the home; false when mounting is not allowed.
    func mountHomeOnTmpfs(size: String) throws -> Bool {
        let result = try CommandRunner.run(["/bin/mount", "-t", "tmpfs", "-o", "size=\(size),mode=0700", "tmpfs", home.root])
        guard result.code == 0 else { return false }
        mounted = home.root
        return true
    }

    /// Starts a log writer and waits until it holds the home.
    @discardableResult
    func startLogd(file: StaticString = #filePath, line: UInt = #line) throws -> ProcessIdentity {
        // Its stderr outside the home, so it stays readable when the home's disk is full.
        let log = try openAppend(logdLogPath)
        defer { closeFD(log) }
        let pid = try Spawner.spawn([CommandRunner.tendBinary, LogWriterProcess.role, "--home", home.root],
                                    environment: environment, workingDirectory: "/", output: log)
        let identity = try XCTUnwrap(Wait.value(timeout: 30) { () -> ProcessIdentity? in
            guard let running = LogWriterProcess.running(self.home), running.pid == pid else { return nil }
            return running
        }, "the log writer did not start: \(logdLog())", file: file, line: line)
        logd = identity
        started.append(identity)
        return identity
    }

    /// SIGKILLs the log writer (identity verified) and reaps it.
    func killLogd() {
        guard let logd else { return }
        Signals.send(.kill, to: logd)
        var status: Int32 = 0
        waitpid(logd.pid, &status, 0)
        self.logd = nil
    }

    /// Starts `argv` with its stdout and stderr on `daemon`'s two FIFOs. The write ends
    /// stay open here until `cleanUp()`, as the monitor keeps them: a pipe's bytes live
    /// only while some process holds it, and a daemon that printed and exited while no
    /// log writer ran would otherwise take its last lines with it.
    @discardableResult
    func spawnDaemon(_ daemon: String, _ argv: [String]) throws -> ProcessIdentity {
        let ends = try CaptureFifos.prepare(home, daemon: daemon)
        held += [ends.stdout, ends.stderr]
        let pid = try Spawner.spawn(argv, environment: environment, output: ends.stdout, errorOutput: ends.stderr)
        let identity = ProcessTable.identity(of: pid) ?? ProcessIdentity(pid: pid, startTime: 0)
        started.append(identity)
        return identity
    }

    /// A daemon printing `PREFIX 0000001` … `PREFIX COUNT` on stdout (fd 2: stderr),
    /// `rate` lines a second (0: as fast as it can), each line padded with `pad` x's.
    @discardableResult
    func spawnCounter(_ daemon: String, prefix: String, count: Int, rate: Double, fd: Int = 1, pad: Int = 0) throws -> ProcessIdentity {
        try spawnDaemon(daemon, ["python3", "\(root)/writer.py", prefix, String(count), String(rate), String(fd), String(pad)])
    }

    static let writerScript = """
    import os, sys, time
    prefix, count, rate, fd = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4])
    pad = " " + "x" * int(sys.argv[5]) if int(sys.argv[5]) > 0 else ""
    def put(data):
        while data:
            data = data[os.write(fd, data):]
    start = time.monotonic()
    if rate <= 0:
        for first in range(1, count + 1, 100):
            put("".join("%s %07d%s\\n" % (prefix, i, pad) for i in range(first, min(count, first + 99) + 1)).encode())
    else:
        for i in range(1, count + 1):
            put(("%s %07d%s\\n" % (prefix, i, pad)).encode())
            delay = start + i / rate - time.monotonic()
            if delay > 0:
                time.sleep(delay)
    """

    /// True once the process has exited (reaped here).
    func hasExited(_ identity: ProcessIdentity) -> Bool {
        var status: Int32 = 0
        let r = waitpid(identity.pid, &status, WNOHANG)
        return r == identity.pid || (r == -1 && errno == ECHILD)
    }

    /// Every record in `daemon`'s log and its backups, oldest first.
    func records(_ daemon: String) -> [LogRecord] { CaptureHarness.records(in: home, daemon) }

    /// The numbers of the `prefix` lines of one stream, in log order.
    func numbers(_ daemon: String, prefix: String, stream: CaptureStream = .stdout) -> [Int] {
        CaptureHarness.numbers(in: home, daemon, prefix: prefix, stream: stream)
    }

    /// Every record in `daemon`'s log and its backups (`NAME.log.N`), oldest first; a line
    /// that is no record is a critical record "UNPARSABLE …".
    static func records(in home: Home, _ daemon: String) -> [LogRecord] {
        let path = home.daemonLog(daemon)
        let backups = ((try? FileSystem.list(home.daemonLogsDir)) ?? [])
            .compactMap { name -> Int? in name.hasPrefix("\(daemon).log.") ? Int(name.dropFirst(daemon.count + 5)) : nil }
            .sorted(by: >)
        var result: [LogRecord] = []
        for file in backups.map({ RotatingLogFile.backupPath(path, $0) }) + [path] {
            guard let text = try? FileSystem.readTextIfPresent(file) else { continue }
            for line in text.split(separator: "\n") {
                result.append(LogRecord.parse(line: String(line)) ?? LogRecord(level: .critical, daemon: "?", msg: "UNPARSABLE \(line)"))
            }
        }
        return result
    }

    /// The numbers of the `prefix` lines of one stream (`PREFIX 0000017 …`), in log order.
    static func numbers(in home: Home, _ daemon: String, prefix: String, stream: CaptureStream = .stdout) -> [Int] {
        records(in: home, daemon).compactMap { r -> Int? in
            guard r.fields["stream"] == .string(stream.rawValue), r.msg.hasPrefix(prefix + " ") else { return nil }
            return Int(r.msg.dropFirst(prefix.count + 1).prefix { $0 != " " })
        }
    }

    var logdLogPath: String { "\(root)/logd.log" }

    /// What the log writers said (started here, or through `LogWriterProcess.launch`).
    func logdLog() -> String {
        [logdLogPath, home.logWriterLog].compactMap { try? FileSystem.readText($0) }.joined()
    }

    func commitRecord(_ daemon: String, _ stream: CaptureStream) -> CommitRecord? {
        let path = "\(home.captureStateDir)/\(CaptureFifos.fileName(daemon: daemon, stream: stream))"
        guard let bytes = try? FileSystem.readBytes(path), bytes.count >= CommitRecord.size else { return nil }
        return CommitRecord.decode(Array(bytes.prefix(CommitRecord.size)))
    }

    func cleanUp() {
        held.forEach { closeFD($0) }
        for p in started.reversed() { Signals.send(.kill, to: p) }
        _ = Wait.until(timeout: 10) { self.started.allSatisfy { self.hasExited($0) || ProcessTable.check($0) != .alive } }
        if let mounted { _ = try? CommandRunner.run(["/bin/umount", "-l", mounted]) }
        _ = try? CommandRunner.run(["/bin/rm", "-rf", root])
    }
}

/// Base of the capture tests: a harness per test, cleaned up after it.
class CaptureTestCase: XCTestCase {
    var harness: CaptureHarness!

    override func setUpWithError() throws {
        harness = try CaptureHarness()
    }

    override func tearDown() {
        harness?.cleanUp()
    }
}
