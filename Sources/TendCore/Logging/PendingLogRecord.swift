/// A record on its way to its files, remembering which of them already hold it. A write
/// can fail for one file and not the others (policy-hits.log on a full disk, the daemon's
/// log in the slack of its last block): trying the record again must write it only where
/// it is missing, never a second time into a log that has it.
public struct PendingLogRecord: Sendable {
    public var record: LogRecord
    /// The destinations that hold the record, whole.
    public var written: Set<LogDestination> = []

    public init(_ record: LogRecord) {
        self.record = record
    }

    /// The destinations still owed the record, in the order they are written.
    public var owed: [LogDestination] {
        DaemonLogger.destinations(of: record).filter { !written.contains($0) }
    }
}
