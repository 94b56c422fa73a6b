#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
/// Runs a short command to completion with a deadline (health probes, `tend.process.run`):
/// spawned like a daemon (own session and process group, stdin /dev/null), its output
/// read from a pipe, and its whole process group torn down if the deadline passes.
public enum BoundedCommand {
    public struct Result: Sendable, Equatable {
        /// Exit code, when it exited.
        public var code: Int32?
        /// Signal that killed it, when it was killed.
        public var signal: Signal?
        public var stdout: String
        public var stderr: String
        public var timedOut: Bool
        /// An output was longer than the limit; the rest was read and dropped.
        public var truncated: Bool
    }

    /// Output kept per stream and run; more is drained (so the child never blocks) and dropped.
    public static let outputLimit = 1 << 20

    /// How long a command that overran gets between SIGTERM and SIGKILL.
    static let termGrace = 0.25

    /// One of the child's output pipes, read without blocking until it closes.
    private final class Capture {
        let fd: Int32
        var bytes: [UInt8] = []
        var open = true
        var truncated = false

        init(fd: Int32) {
            self.fd = fd
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        }

        deinit { close(fd) }

        func drain() {
            var chunk = [UInt8](repeating: 0, count: 65536)
            while open {
                let n = chunk.withUnsafeMutableBytes { buf in retryingOnInterrupt { read(fd, buf.baseAddress, buf.count) } }
                if n == 0 { open = false; return }
                if n < 0 { return }   // EAGAIN: nothing more for now
                let room = max(0, BoundedCommand.outputLimit - bytes.count)
                if n > room { truncated = true }
                bytes.append(contentsOf: chunk[0..<min(n, room)])
            }
        }

        var text: String { String(decoding: bytes, as: UTF8.self) }
    }

    /// A pipe whose ends are close-on-exec (so no other spawn inherits them; the spawner
    /// dup2s the write end onto the child's 1 or 2, which clears the flag there).
    private static func makePipe() throws -> (read: Int32, write: Int32) {
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else { throw SystemError("pipe") }
        for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        return (fds[0], fds[1])
    }

    public static func run(_ argv: [String], timeout: Double, workingDirectory: String? = nil,
                           environment: [String: String]? = nil) throws -> Result {
        let out = try makePipe()
        let err: (read: Int32, write: Int32)
        do { err = try makePipe() } catch { close(out.read); close(out.write); throw error }
        let pid: Int32
        do {
            pid = try Spawner.spawn(argv, environment: environment, workingDirectory: workingDirectory,
                                    output: out.write, errorOutput: err.write)
        } catch {
            for fd in [out.read, out.write, err.read, err.write] { close(fd) }
            throw error
        }
        close(out.write)
        close(err.write)
        let captures = [Capture(fd: out.read), Capture(fd: err.read)]

        // A pidfd tells us the moment it exits; without one, look every 10 ms.
        let identity = ProcessTable.identity(of: pid)
        let exitWatch = identity.flatMap { try? ProcessTable.openExitWatch($0) }
        defer { if let exitWatch { close(exitWatch) } }

        var status: Int32? = nil
        var timedOut = false
        let deadline = Clock.monotonic() + max(0, timeout)
        while status == nil {
            if let s = reap(pid, block: false) { status = s; break }
            let remaining = deadline - Clock.monotonic()
            if remaining <= 0 {
                // Our own unreaped child leads its group: its PID and group are still ours.
                if let identity { Teardown.run(StopTarget(main: identity, group: pid), timeout: termGrace) }
                timedOut = true
                break
            }
            var watched = captures.filter(\.open).map(\.fd)
            if let exitWatch { watched.append(exitWatch) }
            let slice = exitWatch == nil ? min(remaining, 0.01) : remaining
            let ready = Poller.waitReadable(watched, timeout: slice)
            for capture in captures where ready.contains(capture.fd) { capture.drain() }
        }
        captures.forEach { $0.drain() }
        if status == nil { status = reap(pid, block: true) }
        var result = Result(code: nil, signal: nil, stdout: captures[0].text, stderr: captures[1].text,
                            timedOut: timedOut, truncated: captures.contains(where: \.truncated))
        if let s = status {
            if s & 0x7f == 0 { result.code = (s >> 8) & 0xff } else { result.signal = Signal(s & 0x7f) }
        }
        return result
    }

    /// waitpid for this child only (never -1: other children belong to their owners).
    /// nil while it runs, or when someone else reaped it (ECHILD).
    private static func reap(_ pid: Int32, block: Bool) -> Int32? {
        var status: Int32 = 0
        let rc = retryingOnInterrupt { waitpid(pid, &status, block ? 0 : WNOHANG) }
        return rc == pid ? status : nil
    }
}
