import TendSystem
#if canImport(Glibc)
import Glibc
#endif

/// A real `tend __script-worker` driven through pipes, as the monitor drives it: requests
/// written to its stdin, replies read from its stdout, stderr to a file. It leads its own
/// process group, so `stop()` kills what its checks started too. Tests call `stop()` in
/// teardown.
public final class WorkerProcess {
    public let pid: Int32
    public let locationFile: String
    private let input: Int32
    private let output: Int32
    private var pending: [UInt8] = []
    private var inputOpen = true

    public init(environment: [String: String], locationFile: String, stderrPath: String) throws {
        self.locationFile = locationFile
        var toWorker: [Int32] = [0, 0], fromWorker: [Int32] = [0, 0]
        guard pipe(&toWorker) == 0, pipe(&fromWorker) == 0 else { throw SystemError("pipe") }
        // Our ends must not reach the worker (its copy of the request pipe's write end
        // would keep it from ever seeing EOF); the dup2s below clear the flag on 0, 1, 2.
        for fd in toWorker + fromWorker { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        let err = open(stderrPath, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        guard err >= 0 else { throw SystemError("open", path: stderrPath) }
        defer { close(err); close(toWorker[0]); close(fromWorker[1]) }
        let argv = [CommandRunner.tendBinary, "__script-worker", "--location-file", locationFile]
        let child = try CommandRunner.spawnCapturing(argv, env: environment, stdin: toWorker[0], stdout: fromWorker[1], stderr: err)
        pid = child
        input = toWorker[1]
        output = fromWorker[0]
    }

    /// Writes one request line.
    public func send(_ line: String) throws {
        try FileSystem.writeAll(input, Array((line + "\n").utf8))
    }

    /// The next reply line, or nil if none came within `timeout` seconds (or it closed).
    public func readLine(timeout: Double) -> String? {
        let deadline = Clock.monotonic() + timeout
        while true {
            if let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                let line = String(decoding: pending[..<newline], as: UTF8.self)
                pending.removeFirst(newline + 1)
                return line
            }
            let left = deadline - Clock.monotonic()
            guard left > 0, !Poller.waitReadable([output], timeout: left).isEmpty else { return nil }
            var chunk = [UInt8](repeating: 0, count: 65536)
            let n = chunk.withUnsafeMutableBytes { read(output, $0.baseAddress, $0.count) }
            if n <= 0 { return nil }
            pending += chunk[0..<n]
        }
    }

    /// Sends a request and waits for its reply.
    public func ask(_ line: String, timeout: Double = 10) throws -> String? {
        try send(line)
        return readLine(timeout: timeout)
    }

    /// Closes the request stream (the worker should then exit).
    public func closeInput() {
        if inputOpen { close(input) }
        inputOpen = false
    }

    /// The exit status once the worker has ended within `timeout`, else nil.
    public func waitExit(timeout: Double) -> Int32? {
        var status: Int32 = 0
        var done = false
        _ = Wait.until(timeout: timeout) { done = waitpid(pid, &status, WNOHANG) == pid; return done }
        return done ? status : nil
    }

    /// A line of /proc/PID/status in KiB (`VmHWM`: the peak resident set).
    public func statusKiB(_ field: String) -> Int? {
        Self.kiB(in: "/proc/\(pid)/status", field)
    }

    /// Proportional set size (`Pss` of /proc/PID/smaps_rollup), KiB.
    public var pssKiB: Int? { Self.kiB(in: "/proc/\(pid)/smaps_rollup", "Pss") }

    public static func kiB(in file: String, _ field: String) -> Int? {
        guard let text = try? FileSystem.readText(file) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix("\(field):") {
            return Int(line.dropFirst(field.count + 1).trimmingPrefix(while: { $0 == " " || $0 == "\t" }).prefix { $0.isNumber })
        }
        return nil
    }

    /// Kills the worker's process group and reaps the worker.
    public func stop() {
        kill(-pid, SIGKILL)
        kill(pid, SIGKILL)
        var status: Int32 = 0
        _ = waitpid(pid, &status, 0)
        close(output)
        closeInput()
    }
}

private extension Substring {
    func trimmingPrefix(while predicate: (Character) -> Bool) -> Substring { drop(while: predicate) }
}
