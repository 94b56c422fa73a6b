import TendSystem

/// A helper process's identity on disk (`.run/monitor.json`, `.run/logd.json`): the PID
/// alone is in its PID file, for `kill $(cat …)`; this says which process that PID must be.
public struct ProcessRecord: Sendable, Equatable {
    public var pid: Int32
    /// Field 22 of `/proc/PID/stat` (the kernel's start time).
    public var startTime: UInt64
    /// Wall-clock start, seconds since the epoch.
    public var startedAt: Double

    public init(pid: Int32, startTime: UInt64, startedAt: Double) {
        self.pid = pid
        self.startTime = startTime
        self.startedAt = startedAt
    }

    public var identity: ProcessIdentity { ProcessIdentity(pid: pid, startTime: startTime) }
}

/// snake_case on disk, as every JSON Tend writes for people.
extension ProcessRecord: JSONCodable {
    public var jsonValue: JSONValue {
        .members(["pid": pid, "start_time": startTime, "started_at": startedAt])
    }

    public init(jsonValue: JSONValue) throws {
        let o = try JSONObjectReader(jsonValue)
        self.init(pid: try o("pid"), startTime: try o("start_time"), startedAt: try o("started_at"))
    }
}

/// The identity inside a state record (`process`, `lastExit.leftovers`): camelCase, as
/// those records have always had it. Here, not in TendSystem, which knows no JSON.
extension ProcessIdentity: JSONCodable {
    public var jsonValue: JSONValue {
        .members(["pid": pid, "startTime": startTime])
    }

    public init(jsonValue: JSONValue) throws {
        let o = try JSONObjectReader(jsonValue)
        self.init(pid: try o("pid"), startTime: try o("startTime"))
    }
}
