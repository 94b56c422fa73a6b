#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CSystemShim

/// Named pipes that carry a daemon's output to whoever reads it (the monitor), so the
/// daemon keeps writing while no reader exists and the next reader gets every line.
public enum Fifo {
    /// Pipe buffer asked for: output keeps flowing for a while with no monitor.
    public static let preferredBufferSize: Int32 = 1 << 20

    /// Creates the FIFO if missing (mode 0600).
    public static func ensure(_ path: String) throws {
        if mkfifo(path, 0o600) != 0 && errno != EEXIST { throw SystemError("mkfifo", path: path) }
        var st = stat()
        if stat(path, &st) == 0 && (st.st_mode & S_IFMT) != S_IFIFO {
            throw SystemError("not a FIFO", path: path, code: EEXIST)
        }
    }

    /// Opens the FIFO read-write. Read-write never blocks on open and never sees EOF or
    /// EPIPE: the holder is always both a reader and a writer.
    public static func openReadWrite(_ path: String, nonBlocking: Bool) throws -> Int32 {
        let flags = O_RDWR | O_CLOEXEC | (nonBlocking ? O_NONBLOCK : 0)
        let fd = retryingOnInterrupt { open(path, flags) }
        guard fd >= 0 else { throw SystemError("open", path: path) }
        _ = tend_set_pipe_size(fd, preferredBufferSize)
        return fd
    }

    /// Reads what is available without blocking (empty when nothing is).
    public static func drain(_ fd: Int32, limit: Int = 1 << 20) -> [UInt8] {
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while out.count < limit {
            let n = chunk.withUnsafeMutableBytes { buf in retryingOnInterrupt { read(fd, buf.baseAddress, buf.count) } }
            if n <= 0 { break }
            out.append(contentsOf: chunk[0..<n])
        }
        return out
    }

    /// Reads and throws away up to `count` bytes (what is there); returns how many went.
    public static func discard(_ fd: Int32, count: Int) -> Int {
        var chunk = [UInt8](repeating: 0, count: min(count, 65536))
        var gone = 0
        while gone < count {
            let want = min(chunk.count, count - gone)
            let n = chunk.withUnsafeMutableBytes { buf in retryingOnInterrupt { read(fd, buf.baseAddress, want) } }
            if n <= 0 { break }
            gone += n
        }
        return gone
    }
}
