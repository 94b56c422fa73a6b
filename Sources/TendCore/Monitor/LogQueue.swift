/// The log records a daemon's runtime owes the disk: the loop queues them and `flush`
/// writes them after the urgent work. On a full disk they wait for the retry timer,
/// bounded; what has to be given up is counted and said once writing resumes.
struct LogQueue {
    /// Oldest first; each remembers which files hold it already (`PendingLogRecord`).
    private(set) var pending: [PendingLogRecord] = []
    /// Records given up while the disk refused them.
    private(set) var dropped = 0
    /// How many records wait at most: a full disk must not fill memory.
    static let limit = 10_000

    var isEmpty: Bool { pending.isEmpty && dropped == 0 }
    /// The records waiting, oldest first.
    var records: [LogRecord] { pending.map(\.record) }

    mutating func append(_ record: LogRecord) {
        pending.append(PendingLogRecord(record))
    }

    /// Writes what is owed; what fails stays, to be written (only where it is missing)
    /// by the next call.
    mutating func write(to logger: DaemonLogger, at wall: Double) throws {
        defer {
            pending.removeAll { $0.owed.isEmpty }
            if pending.count > Self.limit {
                dropped += pending.count - Self.limit
                pending.removeFirst(pending.count - Self.limit)
            }
        }
        if dropped > 0 {
            // Its own write (one file, so a failure leaves nothing), ahead of the rest:
            // made when writing resumes, not once more on every retry.
            try logger.write(LogRecord(ts: wall, level: .warning, daemon: logger.daemon,
                                       msg: "\(dropped) lines dropped: disk full"))
            dropped = 0
        }
        try logger.write(&pending)
    }
}
