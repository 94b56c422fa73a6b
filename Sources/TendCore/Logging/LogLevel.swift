/// How serious a log record is. The order matters: `tend logs --level warning` shows
/// warning and above, and error/critical are copied to health.log.
public enum LogLevel: String, CaseIterable, Comparable, Sendable {
    case debug, info, warning, error, critical

    /// Parses a level name case-insensitively; `warn` is accepted for `warning` because
    /// shell scripts and many other loggers spell it that way.
    public init?(parsing text: String) {
        let lowered = text.lowercased()
        if lowered == "warn" { self = .warning; return }
        self.init(rawValue: lowered)
    }

    private var rank: Int {
        switch self {
        case .debug: return 0
        case .info: return 1
        case .warning: return 2
        case .error: return 3
        case .critical: return 4
        }
    }

    public static func < (lhs: LogLevel, rhs: LogLevel) -> Bool { lhs.rank < rhs.rank }

    /// The fixed-width label `tend logs` prints: `DEBUG`, `INFO `, `WARN `, `ERROR`, `CRIT `.
    public var label: String {
        switch self {
        case .debug: return "DEBUG"
        case .info: return "INFO "
        case .warning: return "WARN "
        case .error: return "ERROR"
        case .critical: return "CRIT "
        }
    }

    /// The names accepted on the command line, for error messages.
    public static var names: String { allCases.map(\.rawValue).joined(separator: ", ") }
}
