import TendSystem

/// The wanted state of a daemon: the monitor acts only on the difference between
/// wanted and observed.
public enum WantedState: String, Sendable, Equatable, CaseIterable, JSONCodable {
    case up
    case down
}

/// What Tend knows of one daemon between runs (`.state/NAME.json`): its wanted state,
/// the identity of its current process, its last exit and any pending restart.
public struct DaemonRecord: Sendable, Equatable {
    public var name: String
    public var wanted: WantedState
    /// The running process, if any: PID + start time (+ its process group and argv).
    public var process: ProcessIdentity?
    public var processGroup: Int32?
    public var command: [String]?
    /// Wall time the current process started.
    public var startedAt: Double?
    public var lastExit: ExitInfo?
    /// A restart the policy scheduled: when, and why the daemon waits.
    public var nextAttemptAt: Double?
    public var waitReason: String?
    /// The policy said "stay down": why.
    public var heldDownReason: String?
    public var lastHealth: HealthResult?
    /// The monitor is stopping the process (SIGTERM sent, SIGKILL pending).
    public var stopping: Bool?
    /// Restarts done by the monitor since the record was created.
    public var restartCount: Int

    public init(name: String, wanted: WantedState = .down) {
        self.name = name
        self.wanted = wanted
        self.restartCount = 0
    }

    public static func load(_ home: Home, _ name: String) -> DaemonRecord? {
        guard let text = try? FileSystem.readTextIfPresent(home.stateFile(name)) else { return nil }
        return try? RecordCoding.decode(DaemonRecord.self, from: text)
    }

    /// Loads the record, or a fresh one ("never started") when absent or unreadable.
    public static func loadOrNew(_ home: Home, _ name: String) -> DaemonRecord {
        load(home, name) ?? DaemonRecord(name: name)
    }

    /// For the monitor: like `loadOrNew`, but a corrupt record is moved aside (kept, with
    /// a timestamp) and described, so the loss of its identity is reported, not silent.
    public static func loadRepairing(_ home: Home, _ name: String) -> (DaemonRecord, problem: String?) {
        let path = home.stateFile(name)
        guard let text = try? FileSystem.readTextIfPresent(path) else { return (DaemonRecord(name: name), nil) }
        let problem: Error
        do { return (try RecordCoding.decode(DaemonRecord.self, from: text), nil) } catch { problem = error }
        let aside = "\(path).corrupt-\(Int(Clock.now()))"
        try? FileSystem.move(path, to: aside)
        return (DaemonRecord(name: name),
                "\(path): corrupt state record (\(problem)) moved aside to \(aside); \(name) is treated as never started (a running process will show as STALE)")
    }

    public func save(_ home: Home) throws {
        // Atomic but not fsynced: written on every state change, in the monitor's loop.
        // After a power cut a record may be lost; it is then rebuilt as "never started".
        try FileSystem.writeAtomically(home.stateFile(name), text: RecordCoding.encode(self), durable: false)
    }
}

extension DaemonRecord: JSONCodable {
    public var jsonValue: JSONValue {
        .members(["name": name, "wanted": wanted, "process": process, "processGroup": processGroup, "command": command,
                  "startedAt": startedAt, "lastExit": lastExit, "nextAttemptAt": nextAttemptAt, "waitReason": waitReason,
                  "heldDownReason": heldDownReason, "lastHealth": lastHealth, "stopping": stopping,
                  "restartCount": restartCount])
    }

    public init(jsonValue: JSONValue) throws {
        let o = try JSONObjectReader(jsonValue)
        self.init(name: try o("name"), wanted: try o("wanted"))
        process = try o.optional("process")
        processGroup = try o.optional("processGroup")
        command = try o.optional("command")
        startedAt = try o.optional("startedAt")
        lastExit = try o.optional("lastExit")
        nextAttemptAt = try o.optional("nextAttemptAt")
        waitReason = try o.optional("waitReason")
        heldDownReason = try o.optional("heldDownReason")
        lastHealth = try o.optional("lastHealth")
        stopping = try o.optional("stopping")
        restartCount = try o("restartCount")
    }
}
