import TendSystem

/// Why a daemon is not running when the supervisor looks at it.
public enum DeathCause: String, Sendable, Equatable, CaseIterable, JSONCodable {
    case exited            // exited with a code
    case killed            // killed by a signal
    case exitedUnknown     // an adopted process ended; its status went to its real parent
    case stalePID          // the PID file names a dead process, or another process
    case noPIDFile         // wanted up, but no PID file
    case healthCheckFailed // alive, but its health check failed
    case unknown
}

/// One death (or discovered absence) of a daemon.
public struct ExitInfo: Sendable, Equatable {
    public var cause: DeathCause
    public var code: Int32?
    public var signal: Int32?
    /// Wall time of the death (or of its discovery).
    public var at: Double
    /// How long the process ran, when known.
    public var uptime: Double?
    public var pid: Int32?
    /// More about the cause, when there is more (the failed check's reason).
    public var detail: String?
    /// Processes of the daemon's tree still alive after it died (until a stop ends them).
    public var leftovers: [ProcessIdentity]?

    public init(cause: DeathCause, code: Int32? = nil, signal: Int32? = nil, at: Double, uptime: Double? = nil,
                pid: Int32? = nil, detail: String? = nil, leftovers: [ProcessIdentity]? = nil) {
        self.cause = cause
        self.code = code
        self.signal = signal
        self.at = at
        self.uptime = uptime
        self.pid = pid
        self.detail = detail
        self.leftovers = leftovers
    }

    /// "exited with code 1", "killed by SIGKILL", "stale PID", …
    public var reason: String {
        switch cause {
        case .exited: return "exited with code \(code ?? -1)"
        case .killed: return "killed by \(signal.map { Signal($0).name } ?? "a signal")"
        case .exitedUnknown: return "exited (status unknown: not our child)"
        case .stalePID: return "stale PID"
        case .noPIDFile: return "no PID file"
        case .healthCheckFailed: return "health check failed" + (detail.map { ": \($0)" } ?? "")
        case .unknown: return "unknown"
        }
    }

    /// Decodes a `waitpid` status.
    public static func fromWaitStatus(_ status: Int32, at: Double, uptime: Double?, pid: Int32) -> ExitInfo {
        let sig = status & 0x7f
        if sig == 0 {
            return ExitInfo(cause: .exited, code: (status >> 8) & 0xff, at: at, uptime: uptime, pid: pid)
        }
        return ExitInfo(cause: .killed, signal: sig, at: at, uptime: uptime, pid: pid)
    }
}

extension ExitInfo: JSONCodable {
    public var jsonValue: JSONValue {
        .members(["cause": cause, "code": code, "signal": signal, "at": at, "uptime": uptime, "pid": pid,
                  "detail": detail, "leftovers": leftovers])
    }

    public init(jsonValue: JSONValue) throws {
        let o = try JSONObjectReader(jsonValue)
        self.init(cause: try o("cause"), code: try o.optional("code"), signal: try o.optional("signal"), at: try o("at"),
                  uptime: try o.optional("uptime"), pid: try o.optional("pid"), detail: try o.optional("detail"),
                  leftovers: try o.optional("leftovers"))
    }
}
