import TendSystem

/// The monitor's own identity in the home (`monitor.pid`: PID and start time), and the
/// lock (`monitor.lock`) that keeps it to one monitor per home.
public enum MonitorProcess {
    public struct Record: Codable, Sendable, Equatable {
        public var pid: Int32
        public var startTime: UInt64
        public var startedAt: Double
        public var identity: ProcessIdentity { ProcessIdentity(pid: pid, startTime: startTime) }
    }

    /// The running monitor of this home, verified by identity; nil when none runs.
    public static func running(_ home: Home) -> Record? {
        guard FileLock.isHeld(home.monitorLock),
              let text = try? FileSystem.readTextIfPresent(home.monitorPidFile) else { return nil }
        let parts = text.split(whereSeparator: { $0 == " " || $0 == "\n" })
        guard parts.count >= 2, let pid = Int32(parts[0]), let start = UInt64(parts[1]) else { return nil }
        guard let process = ProcessTable.snapshot(pid, withCommandLine: false), !process.isZombie,
              process.startTime == start else { return nil }
        return Record(pid: pid, startTime: start, startedAt: process.startedAt)
    }

    /// Takes the home's monitor lock and writes `monitor.pid` (`PID STARTTIME`; the first
    /// word alone keeps `kill $(cat monitor.pid)` working). Returns the lock descriptor,
    /// to keep open for the monitor's life, or nil when another monitor holds it.
    public static func claim(_ home: Home) throws -> Int32? {
        guard let lock = try FileLock.tryHold(home.monitorLock) else { return nil }
        let me = ProcessTable.identity(of: getpidValue())
        try FileSystem.writeAtomically(home.monitorPidFile, text: "\(me?.pid ?? getpidValue()) \(me?.startTime ?? 0)\n", mode: 0o644)
        return lock
    }

    public static func release(_ home: Home, lock: Int32) {
        try? FileSystem.remove(home.monitorPidFile)
        try? FileSystem.remove(home.monitorSocket)
        closeFD(lock)
    }
}
