#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import TendSystem

/// `tail -F` for a rotated log: returns the lines appended since the last poll and keeps
/// following the *path* across rotation. When the file at the path is a new one
/// (rotated, or deleted and recreated), the old descriptor is read to its end first —
/// writers only rotate under the lock after their writes are complete, so nothing is
/// left behind. If the log rotated more than once since the last poll, the files in
/// between (newer backups than the old file) are read whole, oldest first. Then the new
/// file is read from its start. A file that shrank (truncated in place) is read again
/// from its start.
public final class LogFollower {
    public let path: String

    private var fd: Int32 = -1
    private var identity: (inode: UInt64, device: UInt64) = (0, 0)
    private var offset: Int64 = 0
    private var assembler = OutputLineAssembler(maxLineBytes: 16 * 1024 * 1024)
    private var chunk = [UInt8](repeating: 0, count: 65536)

    /// Opens the file and starts at its current end. A missing file is not an error:
    /// the follower waits for it to appear.
    public init(path: String) throws {
        self.path = path
        try openCurrent(atEnd: true)
    }

    deinit {
        if fd >= 0 { _ = closeLogDescriptor(fd) }
    }

    /// The last `count` lines before the follow position (across backups), oldest first;
    /// `stop` as in `LogTail.lastLines`.
    public func tail(count: Int, where include: (String) -> Bool = { _ in true },
                     until stop: (String) -> Bool = { _ in false }) throws -> [String] {
        try LogTail.lastLines(path: path, count: count, current: fd >= 0 ? fd : nil, end: offset, where: include, until: stop)
    }

    /// Lines completed since the previous call (possibly none). Never blocks.
    public func poll() throws -> [String] {
        var lines = try readAvailable()
        guard let current = FileSystem.info(path) else { return lines }   // deleted: wait
        if fd < 0 || current.inode != identity.inode || current.device != identity.device {
            lines += try readAvailable()          // finish the old file
            lines += assembler.flush()            // its torn last line, if a writer died
            let old = fd >= 0 ? identity : nil
            try openCurrent(atEnd: false)
            if let old { lines += try readRotatedBetween(old: old) }
            lines += try readAvailable()
        } else if current.size < offset {
            offset = 0                            // truncated in place
            _ = assembler.flush()
            lines += try readAvailable()
        }
        return lines
    }

    /// The backups newer than `old` (the file followed until now) and older than the
    /// file now open: those rotated through entirely between two polls.
    private func readRotatedBetween(old: (inode: UInt64, device: UInt64)) throws -> [String] {
        var backups: [(fd: Int32, inode: UInt64, device: UInt64)] = []
        defer { backups.forEach { _ = closeLogDescriptor($0.fd) } }
        var index = 1
        while index <= 1000 {
            let backup = RotatingLogFile.backupPath(path, index)
            index += 1
            let bfd = retryingOnInterrupt { open(backup, O_RDONLY | O_CLOEXEC) }
            if bfd < 0 { break }
            guard let info = FileSystem.info(fd: bfd) else { _ = closeLogDescriptor(bfd); break }
            backups.append((bfd, info.inode, info.device))
            if info.inode == old.inode && info.device == old.device { break }
        }
        guard let oldIndex = backups.firstIndex(where: { $0.inode == old.inode && $0.device == old.device }) else {
            return []   // the old file is gone (deleted, or dropped as oldest): order unknown
        }
        var lines: [String] = []
        var seen: Set<UInt64> = [old.inode, identity.inode]
        for backup in backups[..<oldIndex].reversed() where !seen.contains(backup.inode) {
            seen.insert(backup.inode)
            var reader = OutputLineAssembler(maxLineBytes: 16 * 1024 * 1024)
            var position: Int64 = 0
            while true {
                let n = chunk.withUnsafeMutableBytes { buf in
                    retryingOnInterrupt { pread(backup.fd, buf.baseAddress, buf.count, off_t(position)) }
                }
                if n <= 0 { break }
                position += Int64(n)
                lines += reader.feed(Array(chunk[0..<n]))
            }
            lines += reader.flush()
        }
        return lines
    }

    private func openCurrent(atEnd: Bool) throws {
        if fd >= 0 { _ = closeLogDescriptor(fd) }
        fd = retryingOnInterrupt { open(path, O_RDONLY | O_CLOEXEC) }
        offset = 0
        if fd < 0 {
            if errno == ENOENT { return }
            throw SystemError("open", path: path)
        }
        guard let info = FileSystem.info(fd: fd) else { throw SystemError("fstat", path: path) }
        identity = (info.inode, info.device)
        if atEnd { offset = info.size }
    }

    private func readAvailable() throws -> [String] {
        guard fd >= 0 else { return [] }
        var lines: [String] = []
        while true {
            let n = chunk.withUnsafeMutableBytes { buf in
                retryingOnInterrupt { pread(fd, buf.baseAddress, buf.count, off_t(offset)) }
            }
            if n < 0 { throw SystemError("read", path: path) }
            if n == 0 { return lines }
            offset += Int64(n)
            lines += assembler.feed(Array(chunk[0..<n]))
        }
    }
}
