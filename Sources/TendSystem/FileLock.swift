#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An advisory exclusive lock on a lock file (`flock`), held for the duration of `body`.
/// Processes that write the same log or state file take it so they never interleave
/// a rotation with a write.
public enum FileLock {
    public static func withLock<T>(_ path: String, _ body: () throws -> T) throws -> T {
        let fd = retryingOnInterrupt { open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600) }
        guard fd >= 0 else { throw SystemError("open lock", path: path) }
        defer { close(fd) }
        guard retryingOnInterrupt({ flock(fd, LOCK_EX) }) == 0 else { throw SystemError("flock", path: path) }
        return try body()
    }

    /// Takes a lock that lasts as long as the returned descriptor stays open; nil when
    /// another process holds it. Used for "at most one monitor per home".
    public static func tryHold(_ path: String) throws -> Int32? {
        let fd = retryingOnInterrupt { open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600) }
        guard fd >= 0 else { throw SystemError("open lock", path: path) }
        if flock(fd, LOCK_EX | LOCK_NB) != 0 {
            close(fd)
            if errno == EWOULDBLOCK { return nil }
            throw SystemError("flock", path: path)
        }
        return fd
    }

    /// Whether the held lock `fd` is still the file at `path` (not removed, not replaced).
    public static func isSameFile(_ fd: Int32, at path: String) -> Bool {
        guard let held = FileSystem.info(fd: fd), let current = FileSystem.info(path) else { return false }
        return held.inode == current.inode && held.device == current.device
    }

    /// True if some process holds the lock at `path` right now.
    public static func isHeld(_ path: String) -> Bool {
        let fd = retryingOnInterrupt { open(path, O_RDONLY | O_CLOEXEC) }
        guard fd >= 0 else { return false }
        defer { close(fd) }
        if flock(fd, LOCK_SH | LOCK_NB) == 0 { flock(fd, LOCK_UN); return false }
        return errno == EWOULDBLOCK
    }
}
