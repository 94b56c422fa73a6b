import TendSystem

/// One log record: a line of JSON in a log file (`ts`, `level`, `daemon`, `msg`, then the
/// extra fields sorted). JSON Lines keep every record on one line, so rotation between
/// lines never splits a record, and `tend logs` can filter and render them.
public struct LogRecord: Sendable, Equatable {
    /// Seconds since the epoch (wall clock).
    public var ts: Double
    public var level: LogLevel
    /// The daemon the record belongs to; empty when a parsed line did not name one.
    public var daemon: String
    public var msg: String
    public var fields: [String: JSONValue]

    /// The keys every record starts with, in this order.
    public static let leadingKeys = ["ts", "level", "daemon", "msg"]

    public init(ts: Double = Clock.now(), level: LogLevel, daemon: String, msg: String,
                fields: [String: JSONValue] = [:]) {
        self.ts = ts
        self.level = level
        self.daemon = daemon
        self.msg = msg
        self.fields = fields
    }

    /// The record's `type` field (`health_event`, `policy_hit`, …), which routing reads.
    public var type: String? { fields["type"]?.stringValue }

    /// One line of JSON, without the newline. An extra field named like a leading key
    /// is kept under `_NAME` instead of silently replacing the record's own value.
    public func jsonLine() -> String {
        var object: [String: JSONValue] = [:]
        for (key, value) in fields {
            object[LogRecord.leadingKeys.contains(key) ? "_" + key : key] = value
        }
        // Half a microsecond up: `Clock.iso8601` truncates to milliseconds, and a time
        // such as `x.123` is stored as `x.12299990…`, which would print as `.122`.
        object["ts"] = .string(Clock.iso8601(ts))
        object["level"] = .string(level.rawValue)
        object["daemon"] = .string(daemon)
        object["msg"] = .string(msg)
        return JSONValue.object(object).serialized(keysFirst: LogRecord.leadingKeys)
    }

    /// Reads a line `jsonLine()` wrote (or any JSON object with a string `msg` and a known
    /// `level`); nil for anything else, so plain output is never mistaken for a record.
    /// `ts` may be ISO 8601 or epoch seconds and defaults to `defaultTime` (else now);
    /// unknown keys become fields.
    public static func parse(line: String, defaultTime: Double? = nil) -> LogRecord? {
        let text = line.drop { $0 == " " || $0 == "\t" }
        guard text.first == "{", let value = try? JSONValue.parse(String(text)),
              var object = value.objectValue,
              let msg = object.removeValue(forKey: "msg")?.stringValue,
              let levelName = object.removeValue(forKey: "level")?.stringValue,
              let level = LogLevel(parsing: levelName) else { return nil }
        var daemon = ""
        if let d = object.removeValue(forKey: "daemon") {
            guard let name = d.stringValue else { return nil }
            daemon = name
        }
        var ts = defaultTime ?? Clock.now()
        if let t = object.removeValue(forKey: "ts") {
            if let seconds = t.doubleValue {
                ts = seconds
            } else if let text = t.stringValue, let seconds = Clock.parseISO8601(text) {
                ts = seconds
            } else {
                return nil
            }
        }
        return LogRecord(ts: ts, level: level, daemon: daemon, msg: msg, fields: object)
    }
}
