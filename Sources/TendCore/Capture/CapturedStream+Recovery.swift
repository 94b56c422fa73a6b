#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import TendSystem

/// Finishing what a killed predecessor left in flight (see `CommitRecovery` for the
/// decisions; this gathers the evidence and carries them out).
extension CapturedStream {
    /// Reads the state file's record and settles it, before the stream's first batch.
    func recover(_ peek: PeekBuffer) {
        guard let state else { return }
        if state.damaged { say("\(statePath): not a commit record; starting afresh (a batch in flight may be logged twice)") }
        guard let r = state.found else { return }
        record = r
        owed = r.dropped
        owedErrno = r.dropErrno
        guard r.phase != .idle else { return }

        var evidence = CommitRecovery.Evidence(samePipe: r.boot == boot && r.fifoInode == fifoInode,
                                               taken: state.taken(since: r.tallyBase, limit: r.sourceLength),
                                               pipeContinues: false)
        var head = 0
        if evidence.samePipe && evidence.taken < r.sourceLength {
            head = (try? peek.peek(fifo, limit: r.sourceLength - evidence.taken)) ?? 0
            if head == r.sourceLength - evidence.taken {
                var hash = ContentHash()
                hash.add(state.tallied(from: r.tallyBase, count: evidence.taken))
                hash.add(peek.view(head))
                evidence.pipeContinues = hash.value == r.sourceHash
            }
        }
        typealias Decision = (action: CommitRecovery.Action, owed: Int)
        var decision: Decision
        let rebuilt = r.phase == .write && evidence.taken == 0 && evidence.pipeContinues ? rebuild(r, peek.view(head)) : nil
        if r.phase == .write && evidence.taken == 0 {
            // Whether the write reached the log, judged (and a torn rest cut off) while no
            // other writer can append.
            let underLock = try? log.withFile(device: r.logDevice, inode: r.logInode) { file, info -> Decision in
                evidence.log = examine(r, file: file, size: info.size, rebuilt: rebuilt)
                let d = CommitRecovery.decide(r, evidence)
                if case .keepTorn(_, let cut?) = d.action, ftruncate(file, off_t(cut)) != 0 {
                    say("\(log.path): cannot cut a torn record off: \(SystemError("ftruncate"))")
                }
                return d
            }
            if let underLock {
                decision = underLock
            } else {
                evidence.log = .fileGone
                decision = CommitRecovery.decide(r, evidence)
            }
        } else {
            decision = CommitRecovery.decide(r, evidence)
        }
        apply(decision.action, r, source: peek.view(head), rebuilt: rebuilt)
        owed = decision.owed
        record = idleRecord()
        try? state.save(record)
    }

    private func apply(_ action: CommitRecovery.Action, _ r: CommitRecord, source: UnsafeBufferPointer<UInt8>, rebuilt: Rebuilt?) {
        switch action {
        case .none:
            break
        case .redo:
            say("\(fifoPath): a write in flight had not reached the log; writing it now")
        case .take(let count):
            _ = takeOff(count)
            say("\(fifoPath): a write in flight was in the log; took its last \(count) bytes off the pipe")
        case .keepTorn(let count, _):
            guard count > 0, let state, let rebuilt, let last = rebuilt.sourceEnds.lastIndex(of: count) else { return }
            // Say first that the records of these `count` bytes are whole in the log, so
            // that a crash while taking them off finishes the taking and does nothing more.
            var kept = r
            kept.logLength = rebuilt.recordEnds[last]
            kept.logHash = ContentHash.of(rebuilt.bytes.prefix(kept.logLength))
            kept.sourceLength = count
            kept.sourceHash = ContentHash.of(UnsafeBufferPointer(rebasing: source[0..<count]))
            kept.tallyBase = state.end
            guard (try? state.save(kept)) != nil else { return }
            _ = takeOff(count)
            say("\(log.path): kept the \(last + 1) records of a write torn by a crash; the rest is written again")
        case .forget(let why):
            say("\(fifoPath): \(why)")
        }
    }

    /// A write made again: its bytes, where each record ends in them, and how many bytes
    /// of the pipe the records up to each one were made from.
    typealias Rebuilt = (bytes: [UInt8], recordEnds: [Int], sourceEnds: [Int])

    /// The write `r` describes, made again from the pipe's bytes (`source`, its first
    /// `r.sourceLength`) exactly as it was made: nil when it does not come out the same.
    func rebuild(_ r: CommitRecord, _ source: UnsafeBufferPointer<UInt8>) -> Rebuilt? {
        let segments = LineSegmenter.split(source, takeTail: true)
        var records = encoder.records(segments, of: source, at: r.time).map(\.bytes)
        var sources = segments.map(\.end)
        if r.reportsDropped {
            records.insert(encoder.droppedWarning(count: r.dropped, reason: DropReport.reason(r.dropErrno), at: r.time).bytes, at: 0)
            sources.insert(0, at: 0)
        }
        var bytes: [UInt8] = r.leadingNewline ? [UInt8(ascii: "\n")] : []
        var ends: [Int] = []
        for line in records {
            bytes += line
            ends.append(bytes.count)
        }
        guard bytes.count == r.logLength, ContentHash.of(bytes) == r.logHash else { return nil }
        return (bytes, ends, sources)
    }

    /// What the log file (found by identity, opened under the writers' lock) holds of the
    /// recorded write.
    private func examine(_ r: CommitRecord, file: Int32, size: Int64,
                         rebuilt: Rebuilt?) -> CommitRecovery.LogEvidence {
        let available = Int(max(0, min(size - r.logOffset, Int64(r.logLength))))
        var found = [UInt8](repeating: 0, count: available)
        let n = found.withUnsafeMutableBytes { pread(file, $0.baseAddress, $0.count, off_t(r.logOffset)) }
        if n != available { return .unknown }
        if available == r.logLength && ContentHash.of(found) == r.logHash { return .whole }
        guard let rebuilt else { return available == 0 ? .absent : .unknown }
        return CommitRecovery.compare(expected: rebuilt.bytes, recordEnds: rebuilt.recordEnds, sourceEnds: rebuilt.sourceEnds,
                                      found: found, offset: r.logOffset, fileSize: size)
    }
}
