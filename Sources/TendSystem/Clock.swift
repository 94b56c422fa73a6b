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

    /// Parses what `iso8601` writes (fraction optional); nil otherwise. Scans the bytes
    /// once, without allocating: a restart history of 100 events is parsed on every
    /// decision the script worker takes.
    public static func parseISO8601(_ text: String) -> Double? {
        var text = text
        return text.withUTF8 { bytes -> Double? in
            // Six whole fields (year, month, day, hour, minute, second), each after one of
            // the separators "-T:" (the first after nothing), then an optional ".fraction".
            var fields = (0, 0, 0, 0, 0, 0)
            var i = 0
            for n in 0..<6 {
                if n > 0 {
                    guard i < bytes.count, bytes[i] == UInt8(ascii: "-") || bytes[i] == UInt8(ascii: "T") || bytes[i] == UInt8(ascii: ":") else { return nil }
                    i += 1
                }
                var value = 0, digits = 0
                while i < bytes.count, bytes[i] >= UInt8(ascii: "0"), bytes[i] <= UInt8(ascii: "9"), digits < 9 {
                    value = value * 10 + Int(bytes[i] - UInt8(ascii: "0"))
                    i += 1
                    digits += 1
                }
                guard digits > 0 else { return nil }
                switch n {
                case 0: fields.0 = value
                case 1: fields.1 = value
                case 2: fields.2 = value
                case 3: fields.3 = value
                case 4: fields.4 = value
                default: fields.5 = value
                }
            }
            var fraction = 0.0
            if i < bytes.count, bytes[i] == UInt8(ascii: ".") {
                i += 1
                var scale = 0.1
                while i < bytes.count, bytes[i] >= UInt8(ascii: "0"), bytes[i] <= UInt8(ascii: "9") {
                    fraction += Double(bytes[i] - UInt8(ascii: "0")) * scale
                    scale /= 10
                    i += 1
                }
            }
            var parts = tm()
            parts.tm_year = Int32(fields.0 - 1900)
            parts.tm_mon = Int32(fields.1 - 1)
            parts.tm_mday = Int32(fields.2)
            parts.tm_hour = Int32(fields.3)
            parts.tm_min = Int32(fields.4)
            parts.tm_sec = Int32(fields.5)
            return Double(timegm(&parts)) + fraction
        }
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
