#if os(Linux)
import Glibc
import CSystemShim

/// Reading a pipe without losing what was read: `peek` copies the bytes at the head of a
/// pipe without consuming them (tee(2) into a private scratch pipe, then a read of that),
/// and `consume` takes bytes off the head by splicing them into a file, so the kernel
/// itself counts what was taken — the file grows by exactly the bytes that left the pipe,
/// even when the process is killed in the middle. Linux side of the seam.
public enum PipeTap {
    public static let isSupported = true

    /// A private pipe that `peek` duplicates into; both ends non-blocking.
    public struct Scratch {
        public let read: Int32
        public let write: Int32

        public init(size: Int32) throws {
            var fds: [Int32] = [-1, -1]
            guard pipe(&fds) == 0 else { throw SystemError("pipe") }
            for fd in fds {
                _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
                _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
            }
            read = fds[0]
            write = fds[1]
            _ = tend_set_pipe_size(write, size)
        }
    }

    /// Copies up to `buffer.count` bytes from the head of `pipe` into `buffer` and leaves
    /// them in the pipe. Returns the count: 0 when the pipe is empty.
    public static func peek(_ pipe: Int32, via scratch: Scratch, into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        let teed = retryingOnInterrupt { tend_tee(pipe, scratch.write, buffer.count) }
        if teed < 0 {
            if errno == EAGAIN { return 0 }
            throw SystemError("tee")
        }
        var got = 0
        while got < teed {
            let n = retryingOnInterrupt { Glibc.read(scratch.read, buffer.baseAddress! + got, teed - got) }
            guard n > 0 else { throw SystemError("read scratch pipe") }
            got += n
        }
        return got
    }

    /// Moves `count` bytes from the head of `pipe` into `file` at `offset` (advanced by
    /// what moved). Returns the bytes moved: short when the pipe holds fewer, or when the
    /// file refused more (then the next call throws why).
    public static func consume(_ pipe: Int32, count: Int, intoFile file: Int32, at offset: inout Int64) throws -> Int {
        var moved = 0
        while moved < count {
            var off = Int64(offset)
            let n = retryingOnInterrupt { tend_splice_to_file(pipe, file, &off, count - moved) }
            if n < 0 && (errno == EAGAIN || moved > 0) { break }
            guard n >= 0 else { throw SystemError("splice") }
            offset = off
            if n == 0 { break }
            moved += n
        }
        return moved
    }

    /// Reserves disk blocks past the end of `file` without growing it, so later splices
    /// into that range do not fail on a full disk. False when the file system refuses.
    @discardableResult
    public static func reserve(_ file: Int32, offset: Int64, length: Int64) -> Bool {
        tend_reserve(file, offset, length) == 0
    }
}
#endif
