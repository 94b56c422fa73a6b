#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import TendSystem

/// The home's log writer process (`tend __logd`) seen from outside: whether one runs
/// (verified by PID and start time), and how to start one. The monitor starts it when
/// none runs, adopts one that does, and starts another when it dies; it runs in its own
/// session, so it outlives the monitor and output is logged while no monitor runs.
///
/// `logd.pid` holds the PID alone on one line (`kill $(cat logd.pid)` works);
/// `.run/logd.json` holds its identity (PID and start time), and `logd.lock` is held by
/// the one that runs.
public enum LogWriterProcess {
    /// The hidden first argument that makes the `tend` binary a log writer.
    public static let role = "__logd"

    /// The running log writer of this home, verified: it holds the lock, and the PID of
    /// `logd.pid` is the process its identity record names. nil when none runs.
    public static func running(_ home: Home) -> ProcessIdentity? {
        guard FileLock.isHeld(home.logWriterLock),
              let text = try? FileSystem.readTextIfPresent(home.logWriterRecord),
              let record = try? RecordCoding.decode(ProcessRecord.self, from: text),
              let pidText = try? FileSystem.readTextIfPresent(home.logWriterPidFile),
              Int32(pidText.split(separator: "\n").first ?? "") == record.pid,
              ProcessTable.check(record.identity) == .alive else { return nil }
        return record.identity
    }

    /// Ends the running log writer, verified by its identity: SIGTERM (it writes what it
    /// holds, then exits), SIGKILL after `timeout` (a kill loses nothing: see
    /// `CapturedStream`). For `tend shutdown` with no monitor to do it. nil when none runs.
    public static func stop(_ home: Home, timeout: Double = 5) -> (ProcessIdentity, Teardown.Outcome)? {
        guard let writer = running(home) else { return nil }
        return (writer, Teardown.run(StopTarget(main: writer, group: nil), timeout: timeout))
    }

    /// Starts `tend __logd` for `home`, detached (its own session), its stdout and stderr
    /// appended to `logs/logd.log`. Returns its PID; the caller reaps it. A second one
    /// started beside a running one says so and exits 0.
    public static func launch(home: Home, executable: String = FileSystem.executablePath()) throws -> Int32 {
        try FileSystem.makeDirectory(home.logsDir, mode: 0o700)
        let log = try openAppend(home.logWriterLog)
        defer { closeFD(log) }
        var env = Spawner.currentEnvironment()
        env["TEND_HOME"] = home.root
        return try Spawner.spawn([executable, role, "--home", home.root], environment: env, workingDirectory: "/", output: log)
    }

    /// Takes the lock and writes the identity record, then `logd.pid`. Returns the lock's
    /// descriptor (held for the process's life), or nil when another log writer holds it.
    static func claim(_ home: Home) throws -> Int32? {
        try FileSystem.makeDirectory(home.runDir, mode: 0o700)
        guard let lock = try FileLock.tryHold(home.logWriterLock) else { return nil }
        do {
            guard let me = ProcessTable.snapshot(getpidValue(), withCommandLine: false) else {
                throw SystemError("read own process", code: ESRCH)
            }
            let record = ProcessRecord(pid: me.pid, startTime: me.startTime, startedAt: me.startedAt)
            try FileSystem.writeAtomically(home.logWriterRecord, text: RecordCoding.encode(record), durable: false)
            try FileSystem.writeAtomically(home.logWriterPidFile, text: "\(me.pid)\n", mode: 0o644, durable: false)
        } catch {
            closeFD(lock)
            throw error
        }
        return lock
    }

    /// Whether `lock` is still the file at `logd.lock` (see `MonitorProcess.stillHolds`).
    static func stillHolds(_ home: Home, lock: Int32) -> Bool {
        FileLock.isSameFile(lock, at: home.logWriterLock)
    }

    static func release(_ home: Home, lock: Int32) {
        try? FileSystem.remove(home.logWriterPidFile)
        try? FileSystem.remove(home.logWriterRecord)
        closeFD(lock)
    }
}
