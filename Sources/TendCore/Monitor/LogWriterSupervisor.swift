import TendSystem

/// Keeps the home's log writer (`tend __logd`) running: adopts one that runs (its
/// identity verified), starts one when none does, and starts another when it dies — at
/// most once a second, so a log writer that cannot start does not become a busy loop.
final class LogWriterSupervisor: LoopParticipant {
    private let home: Home
    private let executable: String
    private(set) var identity: ProcessIdentity?
    /// Readable when an adopted log writer (not our child) exits.
    private var watch: Int32?
    private var relaunchAt: Double?
    private var lastLaunch = -Double.infinity
    /// Between two attempts to start it.
    static let relaunchInterval = 1.0

    init(home: Home, executable: String) {
        self.home = home
        self.executable = executable
    }

    /// Adopts the running log writer, or starts one.
    func ensure() {
        guard identity == nil else { return }
        if let running = LogWriterProcess.running(home), let fd = try? ProcessTable.openExitWatch(running) {
            identity = running
            watch = fd
            return
        }
        lastLaunch = Clock.monotonic()
        do {
            let pid = try LogWriterProcess.launch(home: home, executable: executable)
            identity = ProcessTable.identity(of: pid) ?? ProcessIdentity(pid: pid, startTime: 0)
        } catch {
            try? FileSystem.writeAll(2, Array("tend monitor: cannot start the log writer: \(error)\n".utf8))
            relaunchAt = Clock.monotonic() + Self.relaunchInterval * 5
        }
    }

    /// `tend shutdown`: the log writer ends too (after writing what it holds).
    func stop() {
        if let identity { Signals.send(.terminate, to: identity) }
    }

    private func died() {
        identity = nil
        if let watch { closeFD(watch) }
        watch = nil
        relaunchAt = max(Clock.monotonic(), lastLaunch + Self.relaunchInterval)
    }

    // MARK: LoopParticipant

    var descriptors: [Int32] { watch.map { [$0] } ?? [] }

    var processIDs: [Int32] { identity.map { [$0.pid] } ?? [] }

    func readable(_ fd: Int32) { if fd == watch { died() } }

    var nextDeadline: Double? { relaunchAt }

    func fireDeadlines(now: Double) {
        guard let due = relaunchAt, due <= now else { return }
        relaunchAt = nil
        ensure()
    }

    func reaped(pid: Int32, status: Int32) -> Bool {
        guard pid == identity?.pid, watch == nil else { return false }
        died()
        return true
    }
}
