#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import TendSystem

/// How `tend logs` shows records to people:
/// `2026-11-25 09:18:26.123 WARN  message  key=value key2="two words"`, in local time.
/// Lines that are not records (written by something else) are shown as they are.
public enum LogRendering {
    public static func human(_ line: String) -> String {
        guard let record = LogRecord.parse(line: line) else { return line }
        return human(record)
    }

    public static func human(_ record: LogRecord) -> String {
        var text = "\(localTimestamp(record.ts)) \(record.level.label) \(record.msg)"
        if !record.fields.isEmpty {
            text += "  " + record.fields.keys.sorted().map { "\($0)=\(value(record.fields[$0]!))" }.joined(separator: " ")
        }
        return text
    }

    /// `2026-11-25 09:18:26.123` in the local time zone.
    public static func localTimestamp(_ seconds: Double) -> String {
        // Whole milliseconds first (rounded): `x.123` is stored as `x.12299990…`.
        let totalMillis = (seconds * 1000).rounded()
        var t = time_t((totalMillis / 1000).rounded(.down))
        let millis = Int32(totalMillis - Double(t) * 1000)
        var parts = tm()
        localtime_r(&t, &parts)
        func pad(_ v: Int32, _ width: Int) -> String {
            let s = String(v)
            return String(repeating: "0", count: max(0, width - s.count)) + s
        }
        return "\(pad(parts.tm_year + 1900, 4))-\(pad(parts.tm_mon + 1, 2))-\(pad(parts.tm_mday, 2)) "
            + "\(pad(parts.tm_hour, 2)):\(pad(parts.tm_min, 2)):\(pad(parts.tm_sec, 2)).\(pad(millis, 3))"
    }

    /// Plain strings stay bare; ones with spaces, quotes, `=` or control characters are
    /// JSON-quoted so the line still splits unambiguously; other values print as JSON.
    static func value(_ value: JSONValue) -> String {
        if case .string(let s) = value {
            let plain = !s.isEmpty && !s.unicodeScalars.contains { $0.value <= 0x20 || $0 == "\"" || $0 == "=" || $0 == "\\" }
            return plain ? s : value.serialized()
        }
        return value.serialized()
    }
}

extension LogLevel {
    /// The level `tend logs --level` filters by: a record's own, info for plain lines.
    public static func of(line: String) -> LogLevel {
        LogRecord.parse(line: line)?.level ?? .info
    }
}
