/// What a log writer does first with a stream, after its predecessor died at an unknown
/// instant: decide from the last commit record and what the log, the tally and the pipe
/// show now. Pure functions (the I/O is in `CapturedStream+Recovery.swift`), tested case
/// by case.
///
/// The order a writer keeps makes the cases few: record, then write, then take the bytes
/// off the pipe (counted by the tally). So bytes taken mean the write was complete, and
/// a write found whole in the log means only the taking may be unfinished.
public enum CommitRecovery {
    /// What the log holds of a recorded write.
    public enum LogEvidence: Sendable, Equatable {
        /// Every byte, at the recorded offset of the recorded file (current or rotated).
        case whole
        /// Nothing of it.
        case absent
        /// A torn write (SIGKILL in the middle of it): its first `lines` records are there,
        /// made from the first `sourceBytes` of the batch, ending at `keepEnd`; `isLast`
        /// says that nothing follows the torn bytes (no other writer appended since).
        case torn(lines: Int, sourceBytes: Int, keepEnd: Int64, isLast: Bool)
        /// No file with the recorded identity is left (rotated out of the backups, or deleted).
        case fileGone
        /// The write could not be rebuilt to compare (another version wrote it).
        case unknown
    }

    public struct Evidence: Sendable, Equatable {
        /// The same boot and the same FIFO: the pipe the record speaks of.
        public var samePipe: Bool
        /// Bytes of the batch already taken off the pipe (the tally's growth since the record).
        public var taken: Int
        /// The tallied bytes followed by the pipe's head are the batch's bytes (hash match).
        public var pipeContinues: Bool
        /// Only looked at for a write none of whose bytes were taken.
        public var log: LogEvidence

        public init(samePipe: Bool, taken: Int, pipeContinues: Bool, log: LogEvidence = .absent) {
            self.samePipe = samePipe
            self.taken = taken
            self.pipeContinues = pipeContinues
            self.log = log
        }
    }

    public enum Action: Sendable, Equatable {
        /// Nothing was in flight, or it all finished.
        case none
        /// The records are in the log: take the batch's remaining bytes off the pipe.
        case take(Int)
        /// Nothing reached the log: the pipe still holds the batch; process it as new.
        case redo
        /// A torn write: take the bytes of the records that did reach the log; cut the
        /// torn rest off the file when nothing follows it; process the remainder as new.
        case keepTorn(take: Int, truncateTo: Int64?)
        /// The pipe the record speaks of is gone (a reboot, a FIFO made anew, a pipe that
        /// every holder closed): nothing can be taken; the reason says what was lost.
        case forget(String)
    }

    /// The action, and how many dropped lines are still owed a report afterwards.
    public static func decide(_ record: CommitRecord, _ evidence: Evidence) -> (action: Action, owed: Int) {
        let remaining = max(0, record.sourceLength - evidence.taken)
        switch record.phase {
        case .idle:
            return (.none, record.dropped)
        case .drop:
            if remaining == 0 || !record.counted { return (.none, record.dropped) }
            return (takeRest(remaining, evidence, lost: "\(remaining) bytes were being dropped"), record.dropped)
        case .write:
            if evidence.taken > 0 || evidence.log == .whole {
                let owed = record.reportsDropped ? 0 : record.dropped
                if remaining == 0 { return (.none, owed) }
                return (takeRest(remaining, evidence, lost: "its \(remaining) bytes are already logged"), owed)
            }
            guard evidence.samePipe, evidence.pipeContinues else {
                return (.forget("the pipe was replaced: \(record.sourceLength) bytes of output never reached the log"), record.dropped)
            }
            switch evidence.log {
            case .whole:
                return (.none, record.dropped)   // handled above
            case .absent, .fileGone, .unknown:
                // fileGone: whether the write happened cannot be told; writing again may
                // duplicate, not writing may lose: a duplicate is the lesser harm.
                return (.redo, record.dropped)
            case .torn(let lines, let sourceBytes, let keepEnd, let isLast):
                let owed = record.reportsDropped && lines >= 1 ? 0 : record.dropped
                return (.keepTorn(take: sourceBytes, truncateTo: isLast ? keepEnd : nil), owed)
            }
        }
    }

    private static func takeRest(_ remaining: Int, _ evidence: Evidence, lost: String) -> Action {
        evidence.samePipe && evidence.pipeContinues ? .take(remaining) : .forget("the pipe was replaced; \(lost)")
    }

    /// Compares the file's bytes at a write's offset (`found`, up to the write's length)
    /// with the write rebuilt (`expected`, whose records end at `recordEnds` and were made
    /// from the first `sourceEnds` bytes of the batch, both cumulative).
    public static func compare(expected: [UInt8], recordEnds: [Int], sourceEnds: [Int], found: [UInt8],
                               offset: Int64, fileSize: Int64) -> LogEvidence {
        var matched = 0
        let limit = min(expected.count, found.count)
        while matched < limit && expected[matched] == found[matched] { matched += 1 }
        if matched == expected.count { return .whole }
        if matched == 0 { return .absent }
        let lines = recordEnds.prefix { $0 <= matched }.count
        let keep = lines > 0 ? recordEnds[lines - 1] : 0
        return .torn(lines: lines, sourceBytes: lines > 0 ? sourceEnds[lines - 1] : 0,
                     keepEnd: offset + Int64(keep), isLast: fileSize == offset + Int64(matched))
    }
}
