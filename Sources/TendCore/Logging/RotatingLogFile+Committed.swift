#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import TendSystem

/// Where a committed append is about to land: told to the writer, under the lock, before
/// a byte is written, so it can record its intent first (see `CommitRecord`).
public struct AppendIntent: Sendable, Equatable {
    public let device: UInt64
    public let inode: UInt64
    /// The file's size before the append: where the bytes start.
    public let offset: Int64
    /// Exactly what is written: the lines, after a newline when `leadingNewline`.
    public let bytes: [UInt8]
    /// How many of the lines offered are in `bytes`.
    public let lineCount: Int
    /// The file ended in a torn line (a writer died mid-line), so a newline goes first.
    public let leadingNewline: Bool
}

/// Appends whose writer must be able to tell, after being killed at any instant, whether
/// its bytes reached the file: the log writer process (`tend __logd`).
extension RotatingLogFile {
    /// Appends the longest run of `lines` (each ending with a newline) that fits in the
    /// current file — rotating first when not even the first line fits in a non-empty
    /// file, so rotation stays between lines — in one write, after `intent` has been told
    /// what is about to be written. A write that fails (a full disk) is cut back off the
    /// file (`writeWhole`), so no torn record stays behind. Returns how many lines were written.
    public func appendCommitted(_ lines: [[UInt8]], intent: (AppendIntent) throws -> Void) throws -> Int {
        guard !lines.isEmpty else { return 0 }
        return try withBothLocks {
            var info = try ensureCurrent()
            if info.size > 0 && Int(info.size) + lines[0].count > options.maxBytes {
                try rotate()
                info = try ensureCurrent()
            }
            let leadingNewline = info.size > 0 && !endsWithNewline(size: Int(info.size))
            var bytes: [UInt8] = leadingNewline ? [UInt8(ascii: "\n")] : []
            var count = 0
            for line in lines {
                if count > 0 && Int(info.size) + bytes.count + line.count > options.maxBytes { break }
                bytes.append(contentsOf: line)
                count += 1
            }
            try intent(AppendIntent(device: info.device, inode: info.inode, offset: info.size,
                                    bytes: bytes, lineCount: count, leadingNewline: leadingNewline))
            try writeWhole(bytes, at: Int(info.size))
            return count
        }
    }

    /// Runs `body` with the file (current or rotated) whose identity is given, opened for
    /// reading and writing, while every writer of the log waits; nil when no such file is
    /// left (rotated out, or deleted).
    public func withFile<T>(device: UInt64, inode: UInt64, _ body: (Int32, FileSystem.Info) throws -> T) throws -> T? {
        try withBothLocks {
            let candidates = [path] + (1...(options.backups + 1)).map { RotatingLogFile.backupPath(path, $0) }
            for candidate in candidates {
                guard let info = FileSystem.info(candidate), info.inode == inode, info.device == device else { continue }
                let file = retryingOnInterrupt { open(candidate, O_RDWR | O_CLOEXEC) }
                guard file >= 0 else { throw SystemError("open log", path: candidate) }
                defer { _ = closeLogDescriptor(file) }
                return try body(file, info)
            }
            return nil
        }
    }
}
