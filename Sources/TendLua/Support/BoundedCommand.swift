#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import TendSystem

/// Runs a short command to completion with a deadline (health probes, `tend.process.run`):
/// spawned like a daemon (own session and process group, stdin /dev/null), its output
/// read from a pipe, and its whole process group killed if the deadline passes.
enum BoundedCommand {
    struct Result: Sendable, Equatable {
        /// Exit code, when it exited.
        var code: Int32?
        /// Signal that killed it, when it was killed.
        var signal: Int32?
        /// stdout and stderr together (the spawner gives the child one output descriptor).
        var output: String
        var timedOut: Bool
        /// The output was longer than the limit; the rest was read and dropped.
        var truncated: Bool
    }

    /// Output kept per run; more is drained (so the child never blocks) and dropped.
    static let outputLimit = 1 << 20

    static func run(_ argv: [String], timeout: Double, workingDirectory: String? = nil,
                    environment: [String: String]? = nil) throws -> Result {
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else { throw SystemError("pipe") }
        let (readEnd, writeEnd) = (fds[0], fds[1])
        // Close-on-exec so no other spawn inherits them; the spawner dup2s the write end
        // onto the child's 1 and 2, which clears the flag there.
        _ = fcntl(readEnd, F_SETFD, FD_CLOEXEC)
        _ = fcntl(writeEnd, F_SETFD, FD_CLOEXEC)
        let pid: Int32
        do {
            pid = try Spawner.spawn(argv, environment: environment, workingDirectory: workingDirectory, output: writeEnd)
        } catch {
            close(readEnd)
            close(writeEnd)
            throw error
        }
        close(writeEnd)
        defer { close(readEnd) }
        _ = fcntl(readEnd, F_SETFL, fcntl(readEnd, F_GETFL) | O_NONBLOCK)

        // A pidfd tells us the moment it exits; without one, look every 10 ms.
        let exitWatch = ProcessTable.identity(of: pid).flatMap { try? ProcessTable.openExitWatch($0) }
        defer { if let exitWatch { close(exitWatch) } }

        var output: [UInt8] = []
        var truncated = false
        var open = true
        var status: Int32? = nil
        var timedOut = false
        let deadline = Clock.monotonic() + max(0, timeout)

        func drain() {
            var chunk = [UInt8](repeating: 0, count: 65536)
            while true {
                let n = chunk.withUnsafeMutableBytes { buf in retryingOnInterrupt { read(readEnd, buf.baseAddress, buf.count) } }
                if n == 0 { open = false; return }
                if n < 0 { return }   // EAGAIN: nothing more for now
                let room = max(0, outputLimit - output.count)
                if n > room { truncated = true }
                output.append(contentsOf: chunk[0..<min(n, room)])
            }
        }

        while status == nil {
            if let s = reap(pid, block: false) { status = s; break }
            let remaining = deadline - Clock.monotonic()
            if remaining <= 0 {
                // Our own unreaped child: its PID (and group) cannot have been reused.
                kill(-pid, SIGKILL)
                kill(pid, SIGKILL)
                timedOut = true
                break
            }
            var watched: [Int32] = []
            if open { watched.append(readEnd) }
            if let exitWatch { watched.append(exitWatch) }
            let slice = exitWatch == nil ? min(remaining, 0.01) : remaining
            let ready = Poller.waitReadable(watched, timeout: slice)
            if ready.contains(readEnd) { drain() }
        }
        drain()
        if status == nil { status = reap(pid, block: true) }
        var result = Result(code: nil, signal: nil, output: String(decoding: output, as: UTF8.self),
                            timedOut: timedOut, truncated: truncated)
        if let s = status {
            if s & 0x7f == 0 { result.code = (s >> 8) & 0xff } else { result.signal = s & 0x7f }
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
