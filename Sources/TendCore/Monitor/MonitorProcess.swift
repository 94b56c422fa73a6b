import TendSystem

/// The monitor's own identity in the home — `monitor.pid` holds its PID alone on one line
/// (so `kill $(cat monitor.pid)` signals the monitor and nothing else), its start time is
/// in `.run/monitor.json` — and the lock (`monitor.lock`) that keeps it to one per home.
public enum MonitorProcess {
    /// `.run/monitor.json`: the same record as the log writer's.
    public typealias Record = ProcessRecord

    /// The running monitor of this home, verified by identity; nil when none runs.
    public static func running(_ home: Home) -> Record? {
        guard FileLock.isHeld(home.monitorLock),
              let text = try? FileSystem.readTextIfPresent(home.monitorRecord),
              let record = try? RecordCoding.decode(Record.self, from: text) else { return nil }
        guard let process = ProcessTable.snapshot(record.pid, withCommandLine: false), !process.isZombie,
              process.startTime == record.startTime else { return nil }
        return record
    }

    /// Takes the home's monitor lock and writes `.run/monitor.json`, then `monitor.pid`.
    /// Returns the lock descriptor, to keep open for the monitor's life, or nil when
    /// another monitor holds it.
    public static func claim(_ home: Home) throws -> Int32? {
        guard let lock = try FileLock.tryHold(home.monitorLock) else { return nil }
        do {
            let pid = getpidValue()
            let me = ProcessTable.snapshot(pid, withCommandLine: false)
            let record = Record(pid: pid, startTime: me?.startTime ?? 0, startedAt: me?.startedAt ?? Clock.now())
            // Not fsynced, as the daemons' records are not (see the README's design): ext4
            // flushes a file replaced by rename, and the two fsyncs cost a millisecond of
            // every monitor's start.
            try FileSystem.writeAtomically(home.monitorRecord, text: RecordCoding.encode(record), mode: 0o644, durable: false)
            try FileSystem.writeAtomically(home.monitorPidFile, text: "\(pid)\n", mode: 0o644, durable: false)
        } catch {
            closeFD(lock)
            throw error
        }
        return lock
    }

    /// Whether `lock` is still the file at `monitor.lock`. A home removed (or its lock
    /// replaced) under a running monitor may have another monitor now, whose files must
    /// not be touched and whose daemons must not be restarted twice.
    public static func stillHolds(_ home: Home, lock: Int32) -> Bool {
        FileLock.isSameFile(lock, at: home.monitorLock)
    }

    public static func release(_ home: Home, lock: Int32) {
        try? FileSystem.remove(home.monitorPidFile)
        try? FileSystem.remove(home.monitorRecord)
        try? FileSystem.remove(home.monitorSocket)
        closeFD(lock)
    }
}
