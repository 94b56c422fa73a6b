#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import TendSystem

/// How `tend logs` shows records to people, each line naming its daemon:
/// `2026-11-25T10:18:26.123+01:00 web     WARN  message  key=value key2="two words"`, in
/// local time with its offset (`Z` when local time is UTC). Lines that are not records
/// (written by something else) are shown as they are, after the daemon's name.
public enum LogRendering {
    /// One entry; `nameWidth` pads the daemon's name so the columns line up.
    public static func human(_ entry: LogEntry, nameWidth: Int = 0) -> String {
        let name = entry.daemon + String(repeating: " ", count: max(0, nameWidth - entry.daemon.count))
        guard let record = entry.record else {
            return "\(String(repeating: " ", count: timestampWidth)) \(name) \(entry.line)"
        }
        var text = "\(localTimestamp(record.ts)) \(name) \(record.level.label) \(record.msg)"
        if !record.fields.isEmpty {
            text += "  " + record.fields.keys.sorted().map { "\($0)=\(value(record.fields[$0]!))" }.joined(separator: " ")
        }
        return text
    }

    /// The width of `localTimestamp` with a `+hh:mm` offset.
    static let timestampWidth = "2026-11-25T09:18:26.123+01:00".count

    /// `2026-11-25T10:18:26.123+01:00` in the local time zone, `…Z` when that is UTC.
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
        let offsetMinutes = Int32(parts.tm_gmtoff / 60)
        let zone = offsetMinutes == 0 ? "Z"
            : (offsetMinutes < 0 ? "-" : "+") + pad(abs(offsetMinutes) / 60, 2) + ":" + pad(abs(offsetMinutes) % 60, 2)
        return "\(pad(parts.tm_year + 1900, 4))-\(pad(parts.tm_mon + 1, 2))-\(pad(parts.tm_mday, 2))T"
            + "\(pad(parts.tm_hour, 2)):\(pad(parts.tm_min, 2)):\(pad(parts.tm_sec, 2)).\(pad(millis, 3))\(zone)"
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

