#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import TendSystem

/// An append-only line file that rotates at `maxBytes`, keeping `NAME.log.1` … `.N`.
///
/// Several processes may write the same file (the monitor, `tend log` from a shell
/// daemon, a second monitor during a hand-over), so every append happens under `flock`
/// on a lock file beside the log (`.NAME.log.lock`; never the log itself, which rotation
/// renames). Under that lock the writer first checks that its descriptor still is the
/// file at the path — another writer may have rotated it, or someone deleted it
/// (supervisord#702: logging silently stopped after the file was deleted) — and reopens
/// if not. Rotation happens only between lines; a line longer than `maxBytes` is written
/// whole into a fresh file. So lines are never lost, split or interleaved.
public final class RotatingLogFile: @unchecked Sendable {
    public let path: String
    public let options: RotationOptions
    /// The lock file every writer of `path` takes.
    public let lockPath: String

    private let lock = LoggingLock()
    /// The open log (internal: `RotatingLogFile+Committed.swift` writes through it too).
    var fd: Int32 = -1

    public init(path: String, options: RotationOptions = .default) {
        self.path = path
        self.options = options
        self.lockPath = "\(FileSystem.parentDirectory(of: path))/.\(FileSystem.fileName(of: path)).lock"
    }

    deinit {
        if fd >= 0 { _ = closeLogDescriptor(fd) }
    }

    /// `NAME.log.INDEX`; index 1 is the newest backup.
    public static func backupPath(_ path: String, _ index: Int) -> String { "\(path).\(index)" }

    public func append(line: String) throws {
        try append(lines: [line])
    }

    /// Appends each string as one line (a newline is added unless it ends with one), all
    /// under one lock round-trip. Throws `SystemError` naming the path and the errno
    /// (permissions, "No space left on device"). Every line is in the file whole or not
    /// at all (`writeWhole`).
    public func append(lines: [String]) throws {
        var written = 0
        try append(lines: lines, written: &written)
    }

    /// `append(lines:)`, counting in `written` the lines that are in a file even when it
    /// throws: those before a rotation stay in the file they went to (now `.1`), so a
    /// caller that retries must write only the rest.
    public func append(lines: [String], written: inout Int) throws {
        if lines.isEmpty { return }
        try withBothLocks { try appendLocked(lines, written: &written) }
    }

    /// Runs `body` holding this process's lock and the lock file every writer takes.
    func withBothLocks<T>(_ body: () throws -> T) throws -> T {
        try lock.withLock {
            do {
                return try FileLock.withLock(lockPath, body)
            } catch let error as SystemError where error.code == ENOENT && error.path == lockPath {
                // The log folder itself was removed: recreate it rather than stop logging.
                try FileSystem.makeDirectory(FileSystem.parentDirectory(of: path), mode: 0o700)
                return try FileLock.withLock(lockPath, body)
            }
        }
    }

    /// Closes the cached descriptor; the next append reopens it.
    public func close() {
        lock.withLock {
            if fd >= 0 { _ = closeLogDescriptor(fd) }
            fd = -1
        }
    }

    // MARK: - Under both locks

    private func appendLocked(_ lines: [String], written: inout Int) throws {
        var size = Int(try ensureCurrent().size)
        var pending: [UInt8] = []
        var pendingLines = 0
        if size > 0 && !endsWithNewline(size: size) {
            // A writer died in the middle of a line: never glue our first line to it.
            pending.append(UInt8(ascii: "\n"))
        }
        for line in lines {
            var bytes = Array(line.utf8)
            if bytes.last != UInt8(ascii: "\n") { bytes.append(UInt8(ascii: "\n")) }
            let used = size + pending.count
            if used > 0 && used + bytes.count > options.maxBytes {
                try writeWhole(pending, at: size)
                written += pendingLines
                pending.removeAll(keepingCapacity: true)
                pendingLines = 0
                try rotate()
                size = 0
            }
            pending.append(contentsOf: bytes)
            pendingLines += 1
        }
        try writeWhole(pending, at: size)
        written += pendingLines
    }

    /// Appends `bytes` to `fd`, whose file is `size` bytes long (read under the lock
    /// every writer takes, so no one else moves its end). A full disk takes what fits in
    /// the last block and then says ENOSPC: the part written is cut off again, so the
    /// file holds whole lines only — never a torn one that readers and the next writer
    /// would have to step over (and a retry would follow with the same line again).
    func writeWhole(_ bytes: [UInt8], at size: Int) throws {
        do {
            try FileSystem.writeAll(fd, bytes, path: path)
        } catch {
            _ = ftruncate(fd, off_t(size))   // shrinking needs no space; the write's error is the one to tell
            throw error
        }
    }

    /// Makes `fd` the file currently at `path`, (re)creating it when it was rotated away
    /// by another writer or deleted; returns what `fstat` says about it.
    func ensureCurrent() throws -> FileSystem.Info {
        if fd >= 0, let current = FileSystem.info(path), let mine = FileSystem.info(fd: fd),
           current.inode == mine.inode, current.device == mine.device {
            return mine
        }
        try reopen()
        guard let info = FileSystem.info(fd: fd) else { throw SystemError("fstat", path: path) }
        return info
    }

    private func reopen() throws {
        if fd >= 0 { _ = closeLogDescriptor(fd) }
        fd = -1
        // Read-write (not write-only) so a torn last line can be detected with pread.
        let newFD = retryingOnInterrupt { open(path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0o600) }
        guard newFD >= 0 else { throw SystemError("open log", path: path) }
        fd = newFD
    }

    func endsWithNewline(size: Int) -> Bool {
        var last: UInt8 = 0
        let n = retryingOnInterrupt { pread(fd, &last, 1, off_t(size - 1)) }
        return n != 1 || last == UInt8(ascii: "\n")
    }

    /// `.N-1` → `.N`, …, `.1` → `.2`, current → `.1`, then a fresh current file. Renaming
    /// onto `.N` drops the oldest; a leftover `.N+1` (backups lowered) is removed.
    func rotate() throws {
        if options.backups > 0 {
            try removeIfPresent(RotatingLogFile.backupPath(path, options.backups + 1))
            var index = options.backups - 1
            while index >= 1 {
                try renameIfPresent(RotatingLogFile.backupPath(path, index), RotatingLogFile.backupPath(path, index + 1))
                index -= 1
            }
            try renameIfPresent(path, RotatingLogFile.backupPath(path, 1))
        } else {
            try removeIfPresent(path)
        }
        try reopen()
    }

    private func renameIfPresent(_ from: String, _ to: String) throws {
        if rename(from, to) != 0 && errno != ENOENT { throw SystemError("rotate", path: from) }
    }

    private func removeIfPresent(_ file: String) throws {
        if unlink(file) != 0 && errno != ENOENT { throw SystemError("rotate", path: file) }
    }
}

/// `close(2)`, named apart from the `close()` methods of the log types.
func closeLogDescriptor(_ fd: Int32) -> Int32 {
    #if canImport(Glibc)
    return Glibc.close(fd)
    #else
    return Darwin.close(fd)
    #endif
}
