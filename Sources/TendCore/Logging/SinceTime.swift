#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `tend logs --since`: a time back from now (`90s`, `10m`, `2h`, `1d`, `1h30m`) or a
/// time of day as ISO 8601 (`2026-11-25`, `2026-11-25T09:30`, `2026-11-25 09:30:15.250`),
/// in local time unless it ends in `Z` or an offset (`+01:00`, `-0500`).
public enum SinceTime {
    public static let expected = "a duration back from now (30s, 10m, 2h, 1d, 1h30m) or a time (2026-11-25T09:30, local; 2026-11-25T08:30:00Z)"

    /// Seconds since the epoch, or nil when `text` is neither form.
    public static func parse(_ text: String, now: Double) -> Double? {
        if let back = duration(text) { return now - back }
        return time(text)
    }

    /// `1h30m` → 5400; nil unless the whole text is number+unit pairs.
    static func duration(_ text: String) -> Double? {
        let units: [Character: Double] = ["s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604_800]
        var total = 0.0
        var number = ""
        for c in text {
            if c.isASCII && (c.isNumber || c == ".") { number.append(c); continue }
            guard let unit = units[c], let value = Double(number) else { return nil }
            total += value * unit
            number = ""
        }
        return number.isEmpty && !text.isEmpty ? total : nil
    }

    /// ISO 8601 date, optional time (with fraction), optional zone.
    static func time(_ text: String) -> Double? {
        var rest = Substring(text)
        func digits(_ n: Int) -> Int32? {
            guard rest.count >= n, rest.prefix(n).allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
            defer { rest = rest.dropFirst(n) }
            return Int32(rest.prefix(n))
        }
        func take(_ c: Character) -> Bool {
            guard rest.first == c else { return false }
            rest = rest.dropFirst()
            return true
        }
        var parts = tm()
        guard let year = digits(4), take("-"), let month = digits(2), take("-"), let day = digits(2),
              (1...12).contains(month), (1...31).contains(day) else { return nil }
        parts.tm_year = year - 1900
        parts.tm_mon = month - 1
        parts.tm_mday = day
        var fraction = 0.0
        if take("T") || take(" ") {
            guard let hour = digits(2), take(":"), let minute = digits(2), hour < 24, minute < 60 else { return nil }
            parts.tm_hour = hour
            parts.tm_min = minute
            if take(":") {
                guard let second = digits(2), second < 61 else { return nil }
                parts.tm_sec = second
                if take(".") {
                    let fractionDigits = rest.prefix { $0.isASCII && $0.isNumber }
                    guard !fractionDigits.isEmpty else { return nil }
                    fraction = Double("0." + fractionDigits) ?? 0
                    rest = rest.dropFirst(fractionDigits.count)
                }
            }
        }
        if rest.isEmpty {
            parts.tm_isdst = -1   // local time: let the C library decide on summer time
            let t = mktime(&parts)
            return t == -1 ? nil : Double(t) + fraction
        }
        var offset = 0
        if !take("Z") {
            let sign: Int
            if take("+") { sign = 1 } else if take("-") { sign = -1 } else { return nil }
            guard let h = digits(2) else { return nil }
            _ = take(":")
            guard let m = digits(2), h < 24, m < 60 else { return nil }
            offset = sign * (Int(h) * 3600 + Int(m) * 60)
        }
        guard rest.isEmpty else { return nil }
        return Double(timegm(&parts)) - Double(offset) + fraction
    }
}
