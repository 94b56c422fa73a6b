#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import TendSystem

/// One FIFO of one daemon, logged without loss. Each round peeks at the pipe's head,
/// cuts the complete lines into records, records its intent (`CommitRecord`), appends
/// the records, and only then takes exactly those bytes off the pipe. A line still being
/// written stays in the pipe, not in memory; once it has waited `partialWait` (a prompt
/// without a newline) it is logged as a record of its own, marked partial.
///
/// When the log cannot be written (a full disk) the lines are taken off the pipe and
/// counted instead, so the daemon never blocks; every `retryInterval` a write is tried
/// again, and the first record written is "N lines dropped: disk full".
final class CapturedStream {
    static let partialWait = 1.0
    /// How soon a pipe that holds only part of a line is looked at again.
    static let recheck = 0.05
    static let retryInterval = 1.0
    /// Bytes one stream may take in one turn before the others get theirs.
    static let turn = 1 << 20

    let daemon: String
    let stream: CaptureStream
    let fifoPath: String
    let fifo: Int32
    let fifoInode: UInt64
    let encoder: CaptureEncoder
    let log: RotatingLogFile
    let copies: (LogDestination) -> RotatingLogFile
    let say: (String) -> Void
    /// nil while the state file cannot be made (a full disk): lines are then dropped.
    var state: CaptureState?
    let statePath: String
    let boot: UInt64

    /// The last record saved.
    var record = CommitRecord()
    /// Lines dropped and not yet reported, and the errno that made them drop.
    var owed = 0
    var owedErrno: Int32 = 0
    /// When the pipe's head first held only part of a line (monotonic seconds).
    var partialSince: Double?
    /// Not polled before this (monotonic): the pipe holds only part of a line.
    var quietUntil: Double?
    /// Writes are not tried before this (monotonic): the last one failed.
    var retryAt: Double?
    /// The errno already reported on stderr (each kind of failure is said once).
    var reportedErrno: Int32 = 0

    init(daemon: String, stream: CaptureStream, fifoPath: String, statePath: String, boot: UInt64,
         log: RotatingLogFile, copies: @escaping (LogDestination) -> RotatingLogFile, say: @escaping (String) -> Void) throws {
        self.daemon = daemon
        self.stream = stream
        self.fifoPath = fifoPath
        self.statePath = statePath
        self.boot = boot
        self.log = log
        self.copies = copies
        self.say = say
        encoder = CaptureEncoder(daemon: daemon, stream: stream)
        fifo = try Fifo.openReadWrite(fifoPath, nonBlocking: true)
        guard let info = FileSystem.info(fd: fifo), info.mode & UInt32(S_IFMT) == UInt32(S_IFIFO) else {
            closeFD(fifo)
            throw SystemError("not a FIFO", path: fifoPath, code: EINVAL)
        }
        fifoInode = info.inode
        record = idleRecord()
        openState()
    }

    deinit { closeFD(fifo) }

    /// Opens (or makes) the state file; on failure the stream drops lines until a retry works.
    func openState() {
        do {
            state = try CaptureState(path: statePath, fresh: idleRecord())
        } catch {
            state = nil
            owedErrno = noteFailure(error, what: "state file \(statePath)")
            retryAt = Clock.monotonic() + CapturedStream.retryInterval
        }
    }

    func idleRecord() -> CommitRecord {
        var r = CommitRecord()
        r.sequence = record.sequence
        r.boot = boot
        r.fifoInode = fifoInode
        r.dropped = owed
        r.dropErrno = owedErrno
        return r
    }

    /// When a retry is due that no new output may come to prompt: the report of dropped
    /// lines, or a state file that could not be made.
    var retryDeadline: Double? { owed > 0 || state == nil ? retryAt : nil }

    /// Whether the loop should poll the pipe now.
    func wantsPolling(now: Double) -> Bool {
        guard let quiet = quietUntil else { return true }
        if now < quiet { return false }
        quietUntil = nil
        return true
    }

    // MARK: - A turn

    /// Logs what the pipe holds, one batch after another, for at most one turn. With
    /// `closing` (the FIFO was removed) a line without its newline is logged at once.
    /// Returns true when the turn ended with bytes left in the pipe.
    @discardableResult
    func serve(_ peek: PeekBuffer, closing: Bool = false) -> Bool {
        var done = 0
        while done < CapturedStream.turn {
            let now = Clock.monotonic()
            if state == nil, retryAt.map({ now >= $0 }) ?? true { openState() }
            let n: Int
            do { n = try peek.peek(fifo) } catch { say("cannot read \(fifoPath): \(error)"); return false }
            if n == 0 {
                partialSince = nil
                if owed > 0 && retryAt.map({ now >= $0 }) ?? true { _ = handle([], peek.view(0)) }
                return false
            }
            let bytes = peek.view(n)
            var segments = LineSegmenter.split(bytes, takeTail: closing)
            if segments.isEmpty {
                // The head of the pipe is a line still being written: log it once it has
                // waited long enough (and all of it was seen), else look again shortly.
                let since = partialSince ?? now
                partialSince = since
                if n < PeekBuffer.capacity && now - since >= CapturedStream.partialWait {
                    segments = LineSegmenter.split(bytes, takeTail: true)
                } else {
                    quietUntil = min(now + CapturedStream.recheck, since + CapturedStream.partialWait)
                    return false
                }
            }
            let owedBefore = owed
            let took = handle(segments, bytes)
            // Nothing taken: stop, unless the write was the report of dropped lines alone
            // (rotation came right after it) and the lines are next.
            if took == 0 && !(owedBefore > 0 && owed == 0) { return false }
            done += took
            if took == n { partialSince = nil } else if segments.first!.complete { partialSince = now }
        }
        return true
    }

    /// Writes (or drops) the records of `segments` (which start at the pipe's head) and
    /// takes their bytes off the pipe. Returns the bytes taken; with no segments, writes
    /// only the report of dropped lines.
    func handle(_ segments: [LineSegment], _ bytes: UnsafeBufferPointer<UInt8>) -> Int {
        if let retry = retryAt, Clock.monotonic() < retry { return drop(segments, bytes) }
        guard let state else { return drop(segments, bytes) }
        let ts = Clock.now()
        let reports = owed > 0
        var encoded = encoder.records(segments, of: bytes, at: ts)
        if reports {
            encoded.insert(encoder.droppedWarning(count: owed, reason: DropReport.reason(owedErrno), at: ts), at: 0)
        }
        var pending = record
        let written: Int
        do {
            written = try log.appendCommitted(encoded.map(\.bytes)) { intent in
                let lines = intent.lineCount - (reports ? 1 : 0)
                let source = lines > 0 ? segments[lines - 1].end : 0
                var r = idleRecord()
                r.phase = .write
                r.sequence = record.sequence + 1
                r.logDevice = intent.device
                r.logInode = intent.inode
                r.logOffset = intent.offset
                r.logLength = intent.bytes.count
                r.logHash = ContentHash.of(intent.bytes)
                r.time = ts
                r.leadingNewline = intent.leadingNewline
                r.reportsDropped = reports
                r.sourceLength = source
                r.sourceHash = ContentHash.of(UnsafeBufferPointer(rebasing: bytes[0..<source]))
                r.tallyBase = state.end
                try state.save(r)
                pending = r
            }
        } catch {
            owedErrno = noteFailure(error, what: log.path)
            retryAt = Clock.monotonic() + CapturedStream.retryInterval
            return drop(segments, bytes)
        }
        record = pending
        if reports {
            say("\(log.path): writing again after dropping \(owed) lines (\(DropReport.reason(owedErrno)))")
            owed = 0
            owedErrno = 0
            reportedErrno = 0
        }
        retryAt = nil
        let records = Array(encoded.prefix(written))
        let taken = takeOff(record.sourceLength)
        writeCopies(records)
        compactTally()
        return taken
    }

    /// Takes `count` bytes off the pipe onto the tally (they are logged or counted).
    func takeOff(_ count: Int) -> Int {
        guard let state, count > 0 else { return 0 }
        var moved = 0
        do {
            while moved < count {
                let n = try state.take(from: fifo, count: count - moved)
                if n == 0 { break }
                moved += n
            }
        } catch {
            // The tally cannot grow (a full disk despite the reservation): take the rest
            // anyway, and say that it was not counted.
            noteFailure(error, what: statePath)
            var r = record
            r.counted = false
            try? state.save(r)
            record = r
            moved += Fifo.discard(fifo, count: count - moved)
        }
        if moved < count { say("\(fifoPath): only \(moved) of \(count) bytes could be taken off the pipe") }
        return moved
    }

    /// Cuts the tally back once it is large (nothing is in flight between batches).
    private func compactTally() {
        let idle = idleRecord()
        if state?.compactIfLarge(idle: idle) == true { record = idle }
    }

    /// Takes the bytes of `segments` off the pipe without logging them, counting the lines.
    private func drop(_ segments: [LineSegment], _ bytes: UnsafeBufferPointer<UInt8>) -> Int {
        guard let last = segments.last else { return 0 }
        owed += segments.count
        guard let state else { return Fifo.discard(fifo, count: last.end) }
        var r = idleRecord()
        r.phase = .drop
        r.sequence = record.sequence + 1
        r.sourceLength = last.end
        r.sourceHash = ContentHash.of(UnsafeBufferPointer(rebasing: bytes[0..<last.end]))
        r.tallyBase = state.end
        guard (try? state.save(r)) != nil else { return Fifo.discard(fifo, count: last.end) }
        record = r
        let taken = takeOff(last.end)
        compactTally()
        return taken
    }

    /// health.log and policy-hits.log get their copies after the daemon's log has the
    /// records; a copy is written at most once (a crash in between skips it).
    private func writeCopies(_ records: [CaptureEncoder.Record]) {
        for destination in [LogDestination.health, .policyHits] {
            let lines = records.filter { $0.alsoTo.contains(destination) }.map { String(decoding: $0.bytes.dropLast(), as: UTF8.self) }
            if !lines.isEmpty { try? copies(destination).append(lines: lines) }
        }
    }

    /// Says a failure on stderr once per kind; returns its errno.
    @discardableResult
    func noteFailure(_ error: Error, what: String) -> Int32 {
        let code = (error as? SystemError)?.code ?? EIO
        guard code != reportedErrno else { return code }
        reportedErrno = code
        say("cannot write \(what): \(error); lines of \(daemon) (\(stream.rawValue)) are dropped and counted until it works again (retrying every \(Int(CapturedStream.retryInterval)) s)")
        return code
    }
}

/// The words of the "N lines dropped: …" record.
enum DropReport {
    static func reason(_ code: Int32) -> String {
        code == ENOSPC || code == EDQUOT || code == 0 ? "disk full" : String(cString: strerror(code))
    }
}
