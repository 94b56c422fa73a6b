import TendSystem

/// The monitor's side of capture. The log writer (`tend __logd`) reads every daemon's
/// FIFOs (`.fifo/NAME.stdout`, `.stderr`); the monitor makes them, hands their write ends
/// to each spawn, and keeps them open while the daemon is configured: a pipe's bytes live
/// only while some process holds it, so a daemon's last lines survive its death even at
/// a moment no log writer runs.
final class CaptureEnds {
    private let home: Home
    private var ends: [String: (stdout: Int32, stderr: Int32)] = [:]

    init(home: Home) { self.home = home }

    /// The write ends for the daemon's stdout and stderr (made once, kept).
    func ends(for daemon: String) throws -> (stdout: Int32, stderr: Int32) {
        if let held = ends[daemon] { return held }
        let made = try CaptureFifos.prepare(home, daemon: daemon)
        ends[daemon] = made
        return made
    }

    /// A daemon that left the configuration and no longer runs: its FIFOs go (the log
    /// writer writes what is left in them, then lets them go) — also when this monitor
    /// never held them (the daemon was stopped before it started, so it never spawned or
    /// adopted it): the FIFOs are on disk and in the log writer all the same.
    func release(_ daemon: String) {
        if let held = ends.removeValue(forKey: daemon) {
            closeFD(held.stdout)
            closeFD(held.stderr)
        }
        try? CaptureFifos.remove(home, daemon: daemon)
    }

    /// FIFOs of daemons the monitor does not know (removed from the configuration while no
    /// monitor ran, and not running): nothing will write to them again.
    func releaseAll(except known: Set<String>) {
        let names = ((try? FileSystem.list(home.fifoDir)) ?? []).compactMap { CaptureFifos.parse(fileName: $0)?.daemon }
        for daemon in Set(names) where !known.contains(daemon) { release(daemon) }
    }

    /// FIFOs of the capture before the log writer (`.fifo/NAME`): nothing reads them now.
    func removeOldFifos() {
        for name in (try? FileSystem.list(home.fifoDir)) ?? [] where CaptureFifos.parse(fileName: name) == nil {
            try? FileSystem.remove("\(home.fifoDir)/\(name)")
        }
    }
}
