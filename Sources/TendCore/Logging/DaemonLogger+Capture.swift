import TendSystem

/// Output captured from a daemon's stdout/stderr (the monitor reads the pipe, an
/// `OutputLineAssembler` cuts it into lines, and this writes them).
extension DaemonLogger {
    /// Writes captured lines with one lock round-trip per file for the whole batch.
    /// A line that already is a tend log record for this daemon (or for none) is routed
    /// as that record, so a daemon printing `{"level":"error",…}` reaches health.log;
    /// any other line becomes an info record with the line as `msg` and a `stream` field.
    public func captured(lines: [String], stream: String = "output") throws {
        if lines.isEmpty { return }
        let now = Clock.now()
        try write(lines.map { record(forCaptured: $0, stream: stream, at: now) })
    }

    /// The record `captured(lines:)` writes for one line.
    public func record(forCaptured line: String, stream: String, at ts: Double = Clock.now()) -> LogRecord {
        if var record = LogRecord.parse(line: line),
           record.daemon.isEmpty || record.daemon == daemon {
            record.daemon = daemon
            return record
        }
        return LogRecord(ts: ts, level: .info, daemon: daemon, msg: line, fields: ["stream": .string(stream)])
    }
}
