#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import TendSystem

/// One stream's state file, `.run/capture/NAME.STREAM`: the commit record in its first
/// block, and after it the tally. Every byte taken off the pipe is spliced onto the end
/// of this file, so the file's size counts them: the kernel takes from the pipe exactly
/// what it wrote to the file, even when the writer is killed in the middle of it. (A read
/// followed by a note of what was read would leave an instant in which bytes are gone and
/// not noted.) The tally is cut back once it is large and nothing is in flight; blocks are
/// reserved ahead so taking bytes does not fail when the disk fills.
final class CaptureState {
    static let tallyStart = Int64(CommitRecord.size)
    static let compactAt: Int64 = 64 * 1024
    static let reservation: Int64 = 256 * 1024

    let path: String
    private let fd: Int32
    /// The record found when the file was opened (nil: a new file, or a damaged block).
    let found: CommitRecord?
    /// The block held something that is not a record.
    let damaged: Bool
    /// The file's size: where the next taken byte goes.
    private(set) var end: Int64

    init(path: String, fresh: CommitRecord) throws {
        self.path = path
        let fd = retryingOnInterrupt { open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600) }
        guard fd >= 0 else { throw SystemError("open", path: path) }
        self.fd = fd
        let size = FileSystem.info(fd: fd)?.size ?? 0
        var block = [UInt8](repeating: 0, count: CommitRecord.size)
        let n = size >= CaptureState.tallyStart ? block.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, 0) } : 0
        found = n == CommitRecord.size ? CommitRecord.decode(block) : nil
        damaged = size > 0 && found == nil
        end = max(size, CaptureState.tallyStart)
        if found == nil {
            do {
                try save(fresh)
            } catch {
                close(fd)
                throw error
            }
        }
        PipeTap.reserve(fd, offset: end, length: CaptureState.reservation)
    }

    deinit { close(fd) }

    /// Writes the record over the first block.
    func save(_ record: CommitRecord) throws {
        let bytes = record.encoded()
        let n = bytes.withUnsafeBytes { raw in retryingOnInterrupt { pwrite(fd, raw.baseAddress, raw.count, 0) } }
        guard n == bytes.count else { throw SystemError("write", path: path, code: n < 0 ? errno : ENOSPC) }
    }

    /// Bytes taken since the tally stood at `base`, at most `limit`.
    func taken(since base: Int64, limit: Int) -> Int {
        Int(min(max(0, end - base), Int64(limit)))
    }

    /// The tallied bytes from `base` (the start of what a batch took).
    func tallied(from base: Int64, count: Int) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        let n = bytes.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, off_t(base)) }
        return n == count ? bytes : []
    }

    /// Takes `count` bytes off the head of `pipe` onto the tally; returns how many moved.
    func take(from pipe: Int32, count: Int) throws -> Int {
        guard count > 0 else { return 0 }
        return try PipeTap.consume(pipe, count: count, intoFile: fd, at: &end)
    }

    /// Cuts the tally back when it is large. `idle` (nothing in flight) is saved first, so
    /// a crash in between leaves a record that no longer counts on the tally.
    /// Returns true when it did (`idle` is then the record on disk).
    @discardableResult
    func compactIfLarge(idle: CommitRecord) -> Bool {
        guard end - CaptureState.tallyStart >= CaptureState.compactAt, (try? save(idle)) != nil else { return false }
        if ftruncate(fd, off_t(CaptureState.tallyStart)) == 0 {
            end = CaptureState.tallyStart
            PipeTap.reserve(fd, offset: end, length: CaptureState.reservation)
        }
        return true
    }
}
