import TendSystem

/// When a log file rotates and how many old files are kept (`NAME.log.1` … `.N`).
public struct RotationOptions: Sendable, Equatable {
    /// A file is rotated before a line would take it past this size.
    public var maxBytes: Int
    /// Rotated files kept; the oldest is dropped.
    public var backups: Int

    public init(maxBytes: Int = 10 * 1024 * 1024, backups: Int = 5) {
        self.maxBytes = max(1, maxBytes)
        self.backups = max(0, backups)
    }

    /// 10 MiB × 5 backups, as the seed's logger had.
    public static let `default` = RotationOptions()

    /// The defaults, overridden by `TEND_LOG_MAX_BYTES` (bytes, or with a `k`/`m`/`g`
    /// suffix) and `TEND_LOG_BACKUPS`, so tests and users can shrink them without config.
    /// Values that do not parse are ignored.
    public static func fromEnvironment(_ environment: Environment = .current) -> RotationOptions {
        var options = RotationOptions.default
        if let text = environment["TEND_LOG_MAX_BYTES"], let bytes = parseSize(text), bytes > 0 {
            options.maxBytes = bytes
        }
        if let text = environment["TEND_LOG_BACKUPS"], let count = Int(text.trimmingSpaces), count >= 0 {
            options.backups = count
        }
        return options
    }

    /// `4096`, `4k`, `10M`, `10MiB`, `1g` → bytes (binary multiples); nil if malformed.
    static func parseSize(_ text: String) -> Int? {
        var digits = text.trimmingSpaces.lowercased()
        for unit in ["ib", "b"] where digits.hasSuffix(unit) && digits.count > unit.count {
            digits.removeLast(unit.count)
            break
        }
        var multiplier = 1
        if let last = digits.last, let m = ["k": 1 << 10, "m": 1 << 20, "g": 1 << 30][String(last)] {
            multiplier = m
            digits.removeLast()
        }
        guard let n = Int(digits), n >= 0 else { return nil }
        let (product, overflow) = n.multipliedReportingOverflow(by: multiplier)
        return overflow ? nil : product
    }
}

extension String {
    fileprivate var trimmingSpaces: String {
        String(drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())
    }
}
