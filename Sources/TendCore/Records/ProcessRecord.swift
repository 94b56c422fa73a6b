import TendSystem

/// A helper process's identity on disk (`.run/logd.json`): the PID alone is in its PID
/// file, for `kill $(cat …)`; this says which process that PID must be.
public struct ProcessRecord: Codable, Sendable, Equatable {
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

    /// snake_case on disk, as `.run/monitor.json` and every JSON Tend writes.
    enum CodingKeys: String, CodingKey { case pid, startTime = "start_time", startedAt = "started_at" }
}
