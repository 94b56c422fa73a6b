#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Wall and monotonic time as plain seconds: the supervisor compares, schedules and
/// records times; it never needs calendars except to print them.
public enum Clock {
    /// Seconds since the epoch (wall clock), for records people read.
    public static func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }

    /// Seconds on a clock that never jumps, for deadlines and durations.
    public static func monotonic() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }

    /// `2026-11-25T09:18:26.123Z` (UTC, milliseconds).
    public static func iso8601(_ seconds: Double) -> String {
        // Whole milliseconds, rounded (not truncated: 0.123 must not print as .122).
        let totalMillis = Int64((seconds * 1000).rounded())
        var t = time_t(totalMillis / 1000)
        var parts = tm()
        gmtime_r(&t, &parts)
        let millis = Int(totalMillis % 1000)
        func pad(_ v: Int32, _ width: Int) -> String {
            let s = String(v)
            return String(repeating: "0", count: max(0, width - s.count)) + s
        }
        return "\(pad(parts.tm_year + 1900, 4))-\(pad(parts.tm_mon + 1, 2))-\(pad(parts.tm_mday, 2))T"
            + "\(pad(parts.tm_hour, 2)):\(pad(parts.tm_min, 2)):\(pad(parts.tm_sec, 2)).\(pad(Int32(millis), 3))Z"
    }

    /// Parses what `iso8601` writes (fraction optional); nil otherwise.
    public static func parseISO8601(_ text: String) -> Double? {
        let digits = text.split(whereSeparator: { "-T:.Z".contains($0) }).map { Int($0) }
        guard digits.count >= 6, !digits.prefix(6).contains(where: { $0 == nil }) else { return nil }
        var parts = tm()
        parts.tm_year = Int32(digits[0]! - 1900)
        parts.tm_mon = Int32(digits[1]! - 1)
        parts.tm_mday = Int32(digits[2]!)
        parts.tm_hour = Int32(digits[3]!)
        parts.tm_min = Int32(digits[4]!)
        parts.tm_sec = Int32(digits[5]!)
        var fraction = 0.0
        if let dot = text.firstIndex(of: ".") {
            fraction = Double("0." + text[text.index(after: dot)...].prefix { $0.isNumber }) ?? 0
        }
        return Double(timegm(&parts)) + fraction
    }

    /// A duration for people: `3s`, `4m12s`, `2h05m`, `3d04h`.
    public static func humanDuration(_ seconds: Double) -> String {
        let s = Int(max(0, seconds))
        if s < 60 { return "\(s)s" }
        if s < 3600 { return "\(s / 60)m\(String(format2: s % 60))s" }
        if s < 86400 { return "\(s / 3600)h\(String(format2: (s % 3600) / 60))m" }
        return "\(s / 86400)d\(String(format2: (s % 86400) / 3600))h"
    }
}

extension String {
    /// Two-digit zero padded.
    init(format2 value: Int) {
        self = value < 10 ? "0\(value)" : "\(value)"
    }
}
