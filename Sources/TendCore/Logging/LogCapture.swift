/// Records kept in memory instead of written: a `DaemonLogger` made with one writes no
/// file (`tend policy simulate` shows what a policy would log, and touches nothing).
public final class LogCapture: @unchecked Sendable {
    private let lock = LoggingLock()
    private var records: [LogRecord] = []

    public init() {}

    func append(_ new: [LogRecord]) {
        lock.withLock { records += new }
    }

    /// The records captured since the last call, oldest first.
    public func drain() -> [LogRecord] {
        lock.withLock {
            defer { records.removeAll() }
            return records
        }
    }
}
