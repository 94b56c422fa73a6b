import TendSystem

/// One restart attempt, as kept in `.restarts/NAME.json`.
public struct RestartEvent: Sendable, Equatable {
    public var time: Double
    /// "exited with code 1", "killed by SIGKILL", "stale PID", "no PID file", …
    public var reason: String
    public var oldPID: Int32?
    public var newPID: Int32?
    public var success: Bool
    /// Who asked: the monitor (policy) or a person (`tend restart`). Manual restarts do
    /// not count toward the policy's limits.
    public var manual: Bool
    public var error: String?

    public init(time: Double, reason: String, oldPID: Int32?, newPID: Int32?, success: Bool, manual: Bool = false, error: String? = nil) {
        self.time = time
        self.reason = reason
        self.oldPID = oldPID
        self.newPID = newPID
        self.success = success
        self.manual = manual
        self.error = error
    }
}

/// The newest `limit` restart events of one daemon, oldest first.
public struct RestartHistory: Sendable, Equatable {
    public static let limit = 100
    public private(set) var events: [RestartEvent]

    public init(events: [RestartEvent] = []) {
        self.events = Array(events.suffix(Self.limit))
    }

    public mutating func append(_ event: RestartEvent) {
        events.append(event)
        if events.count > Self.limit { events.removeFirst(events.count - Self.limit) }
    }

    /// Automatic (policy-driven) restarts since `time`: what rate limits count.
    public func automatic(since time: Double) -> [RestartEvent] {
        events.filter { !$0.manual && $0.time >= time }
    }

    public enum LoadError: Error, CustomStringConvertible {
        /// The file was unreadable; it was moved aside to `movedTo`.
        case corrupt(path: String, movedTo: String, detail: String)
        public var description: String {
            switch self {
            case .corrupt(let path, let moved, let detail):
                return "\(path): corrupt restart history (\(detail)); moved aside to \(moved), starting a new one"
            }
        }
    }

    /// Loads the history; a missing file is empty. A corrupt file is moved aside (never
    /// deleted) and reported, and an empty history is returned with the error.
    public static func load(_ home: Home, _ name: String) -> (RestartHistory, LoadError?) {
        let path = home.historyFile(name)
        guard let text = try? FileSystem.readTextIfPresent(path) else { return (RestartHistory(), nil) }
        if text.allSatisfy({ $0.isWhitespace }) { return (RestartHistory(), nil) }
        do {
            return (RestartHistory(events: try RecordCoding.decode([RestartEvent].self, from: text)), nil)
        } catch {
            let aside = "\(path).corrupt-\(Int(Clock.now()))"
            try? FileSystem.move(path, to: aside)
            return (RestartHistory(), .corrupt(path: path, movedTo: aside, detail: "not a JSON list of restart events: \(error)"))
        }
    }

    public func save(_ home: Home, _ name: String) throws {
        // Atomic, not fsynced: the monitor writes it after every restart, in its loop.
        try FileSystem.writeAtomically(home.historyFile(name), text: RecordCoding.encode(events), durable: false)
    }
}

/// `timestamp` is ISO-8601 (milliseconds), `old_pid`/`new_pid` snake_case: the seed's
/// format, which `.restarts/NAME.json` has always had.
extension RestartEvent: JSONCodable {
    public var jsonValue: JSONValue {
        .members(["timestamp": Clock.iso8601(time), "reason": reason, "old_pid": oldPID, "new_pid": newPID,
                  "success": success, "manual": manual, "error": error])
    }

    public init(jsonValue: JSONValue) throws {
        let o = try JSONObjectReader(jsonValue)
        let stamp: String = try o("timestamp")
        guard let time = Clock.parseISO8601(stamp) else { throw o.failure("timestamp", "expected an ISO-8601 time, found \"\(stamp)\"") }
        self.init(time: time, reason: try o("reason"), oldPID: try o.optional("old_pid"), newPID: try o.optional("new_pid"),
                  success: try o("success"), manual: try o("manual", default: false), error: try o.optional("error"))
    }
}
