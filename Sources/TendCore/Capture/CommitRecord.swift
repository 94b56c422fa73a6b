/// What a log writer is doing with one stream's pipe, written (with `pwrite`, over the
/// same fixed-size block every time) before it acts, so that a successor started after
/// a SIGKILL at any instant knows what was in flight: a write of records into the log,
/// or the dropping of lines that could not be written.
///
/// On disk it is one line of `key=value` words padded to `size` bytes, ending with a
/// checksum of the words before it, so `cat` shows it and a damaged block is noticed.
public struct CommitRecord: Sendable, Equatable {
    public static let size = 512

    public enum Phase: String, Sendable {
        /// Nothing in flight.
        case idle
        /// Records for `sourceLength` bytes of the pipe are being appended to the log.
        case write
        /// `sourceLength` bytes are being taken off the pipe without being logged.
        case drop
    }

    public var phase: Phase = .idle
    /// Counts the records written for this stream, for people reading the block.
    public var sequence: UInt64 = 0
    /// `ContentHash` of the boot's identifier: a pipe's bytes do not survive a reboot.
    public var boot: UInt64 = 0
    /// The FIFO's inode: a FIFO removed and made again is another pipe.
    public var fifoInode: UInt64 = 0
    /// Lines dropped and not yet reported in the log (those of a `drop` included).
    public var dropped: Int = 0
    /// Why they were dropped: the errno of the failed write (see `DropReport`).
    public var dropErrno: Int32 = 0

    // The write (phase `write`).
    public var logDevice: UInt64 = 0
    public var logInode: UInt64 = 0
    public var logOffset: Int64 = 0
    public var logLength: Int = 0
    public var logHash: UInt64 = 0
    /// The records' time (as its bit pattern on disk: rebuilt records must be identical).
    public var time: Double = 0
    /// The write began with a newline (the file ended in a torn line).
    public var leadingNewline = false
    /// The write begins with the "N lines dropped" warning for all of `dropped`.
    public var reportsDropped = false

    // The pipe bytes the write or drop takes (both phases).
    public var sourceLength: Int = 0
    public var sourceHash: UInt64 = 0
    /// The tally's size when this record was written: the tally grows by exactly the bytes
    /// taken off the pipe since (see `CaptureState`).
    public var tallyBase: Int64 = 0
    /// False when the bytes of a drop were read and thrown away instead of counted (the
    /// tally could not grow: the disk is full): whether that happened is then unknown.
    public var counted = true

    public init() {}

    public func encoded() -> [UInt8] {
        var words = "tend-capture-1 phase=\(phase.rawValue) seq=\(sequence) boot=\(hex(boot)) fifo=\(fifoInode)"
        words += " dropped=\(dropped) errno=\(dropErrno)"
        words += " dev=\(logDevice) ino=\(logInode) off=\(logOffset) len=\(logLength) hash=\(hex(logHash))"
        words += " time=\(hex(time.bitPattern)) newline=\(leadingNewline ? 1 : 0) reports=\(reportsDropped ? 1 : 0)"
        words += " src=\(sourceLength) srchash=\(hex(sourceHash)) base=\(tallyBase) counted=\(counted ? 1 : 0)"
        words += " check=\(hex(ContentHash.of(words.utf8)))"
        var bytes = Array(words.utf8)
        precondition(bytes.count < CommitRecord.size, "commit record longer than its block")
        bytes += [UInt8](repeating: UInt8(ascii: " "), count: CommitRecord.size - 1 - bytes.count)
        bytes.append(UInt8(ascii: "\n"))
        return bytes
    }

    /// Reads a block `encoded()` wrote; nil when it is empty, damaged or of another kind.
    public static func decode(_ bytes: [UInt8]) -> CommitRecord? {
        let text = String(decoding: bytes, as: UTF8.self).trimmingCharacters(while: { $0 == " " || $0 == "\n" || $0 == "\0" })
        guard let space = text.lastIndex(of: " "), text[text.index(after: space)...].hasPrefix("check="),
              text.hasPrefix("tend-capture-1 "),
              UInt64(text[text.index(space, offsetBy: 7)...], radix: 16) == ContentHash.of(text[..<space].utf8)
        else { return nil }
        var fields: [Substring: Substring] = [:]
        for word in text[..<space].split(separator: " ").dropFirst() {
            guard let eq = word.firstIndex(of: "=") else { return nil }
            fields[word[..<eq]] = word[word.index(after: eq)...]
        }
        func int<T: FixedWidthInteger>(_ key: Substring, radix: Int = 10) -> T? { fields[key].flatMap { T($0, radix: radix) } }
        guard let phase = fields["phase"].flatMap({ Phase(rawValue: String($0)) }),
              let seq: UInt64 = int("seq"), let boot: UInt64 = int("boot", radix: 16), let fifo: UInt64 = int("fifo"),
              let dropped: Int = int("dropped"), let dropErrno: Int32 = int("errno"),
              let dev: UInt64 = int("dev"), let ino: UInt64 = int("ino"), let off: Int64 = int("off"),
              let len: Int = int("len"), let hash: UInt64 = int("hash", radix: 16),
              let time: UInt64 = int("time", radix: 16), let newline: Int = int("newline"), let reports: Int = int("reports"),
              let src: Int = int("src"), let srcHash: UInt64 = int("srchash", radix: 16), let base: Int64 = int("base"),
              let counted: Int = int("counted")
        else { return nil }
        var r = CommitRecord()
        r.phase = phase
        r.sequence = seq
        r.boot = boot
        r.fifoInode = fifo
        r.dropped = dropped
        r.dropErrno = dropErrno
        r.logDevice = dev
        r.logInode = ino
        r.logOffset = off
        r.logLength = len
        r.logHash = hash
        r.time = Double(bitPattern: time)
        r.leadingNewline = newline == 1
        r.reportsDropped = reports == 1
        r.sourceLength = src
        r.sourceHash = srcHash
        r.tallyBase = base
        r.counted = counted == 1
        return r
    }

    private func hex(_ value: UInt64) -> String { String(value, radix: 16) }
}

extension String {
    fileprivate func trimmingCharacters(while drop: (Character) -> Bool) -> String {
        String(self.drop(while: drop).reversed().drop(while: drop).reversed())
    }
}
