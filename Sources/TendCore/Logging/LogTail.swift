#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import TendSystem

/// The last lines of a rotated log, newest file first (`NAME.log`, then `.1`, `.2`, …),
/// read backwards in chunks so `tend logs -n 20` costs the same on a 10 MB file as on
/// a small one.
public enum LogTail {
    /// Up to `count` lines accepted by `include`, oldest first. Blank lines are skipped.
    /// A missing file is simply empty. Reading stops early at the first line (going back)
    /// for which `stop` holds: `--since` reads no further back than it needs.
    public static func lastLines(path: String, count: Int,
                                 where include: (String) -> Bool = { _ in true },
                                 until stop: (String) -> Bool = { _ in false }) throws -> [String] {
        let fd = retryingOnInterrupt { open(path, O_RDONLY | O_CLOEXEC) }
        if fd < 0 && errno != ENOENT { throw SystemError("open", path: path) }
        defer { if fd >= 0 { _ = closeLogDescriptor(fd) } }
        let end = fd >= 0 ? (FileSystem.info(fd: fd)?.size ?? 0) : 0
        return try lastLines(path: path, count: count, current: fd >= 0 ? fd : nil, end: end, where: include, until: stop)
    }

    /// As above, with the current file already open as `current`, read up to `end` (the
    /// follower reads from there on). A backup that is the same file as `current` (it was
    /// rotated meanwhile) is skipped.
    static func lastLines(path: String, count: Int, current: Int32?, end: Int64,
                          where include: (String) -> Bool, until stop: (String) -> Bool) throws -> [String] {
        guard count > 0 else { return [] }
        var newestFirst: [String] = []
        var stopped = false
        let collect: (String) -> Bool = { line in
            if line.isEmpty { return true }
            if stop(line) { stopped = true; return false }
            if include(line) { newestFirst.append(line) }
            return newestFirst.count < count
        }
        var skip: (UInt64, UInt64)?
        if let current {
            try forEachLineBackward(fd: current, end: end, path: path, collect)
            if let info = FileSystem.info(fd: current) { skip = (info.inode, info.device) }
        }
        var index = 1
        while !stopped && newestFirst.count < count && index <= 1000 {
            let backup = RotatingLogFile.backupPath(path, index)
            index += 1
            let fd = retryingOnInterrupt { open(backup, O_RDONLY | O_CLOEXEC) }
            if fd < 0 {
                if errno == ENOENT { break }
                throw SystemError("open", path: backup)
            }
            defer { _ = closeLogDescriptor(fd) }
            guard let info = FileSystem.info(fd: fd) else { continue }
            if let skip, skip == (info.inode, info.device) { continue }
            try forEachLineBackward(fd: fd, end: info.size, path: backup, collect)
        }
        return newestFirst.reversed()
    }

    /// Calls `body` with each line of bytes `0..<end`, last line first, until it returns
    /// false. Reads 64 KiB at a time from the end.
    static func forEachLineBackward(fd: Int32, end: Int64, path: String,
                                    _ body: (String) -> Bool) throws {
        let newline = UInt8(ascii: "\n")
        var position = end
        var carry: [UInt8] = []   // the start of this chunk's first line is in an earlier chunk
        var chunk = [UInt8](repeating: 0, count: 65536)
        while position > 0 {
            let size = Int(min(Int64(chunk.count), position))
            position -= Int64(size)
            var filled = 0
            while filled < size {
                let n = chunk.withUnsafeMutableBytes { buf in
                    retryingOnInterrupt { pread(fd, buf.baseAddress! + filled, size - filled, off_t(position) + off_t(filled)) }
                }
                if n < 0 { throw SystemError("read", path: path) }
                if n == 0 { break }   // the file shrank under us: treat the rest as empty
                filled += n
            }
            if filled < size { chunk.replaceSubrange(filled..<size, with: repeatElement(newline, count: size - filled)) }
            var lineEnd = size
            var i = size - 1
            while i >= 0 {
                if chunk[i] == newline {
                    let line = decode(chunk[(i + 1)..<lineEnd], carry)
                    carry.removeAll()
                    if !body(line) { return }
                    lineEnd = i
                }
                i -= 1
            }
            carry = Array(chunk[0..<lineEnd]) + carry
        }
        if !carry.isEmpty { _ = body(decode(carry[...], [])) }
    }

    private static func decode(_ head: ArraySlice<UInt8>, _ tail: [UInt8]) -> String {
        var text = tail.isEmpty ? String(decoding: head, as: UTF8.self) : String(decoding: Array(head) + tail, as: UTF8.self)
        if text.hasSuffix("\r") { text.removeLast() }
        return text
    }
}
