import TendSystem

/// The monitor's processes, for real: spawned with their output captured, adopted ones
/// watched through exit descriptors (pidfd / kqueue), signalled only after their identity
/// is checked (`Teardown`), and their escaped descendants found by the `TEND_HOME` and
/// `TEND_DAEMON` variables every daemon's process tree inherits.
final class SystemProcessControl: ProcessControl {
    let home: Home
    let capture: CaptureEnds
    /// Exit descriptors of adopted processes, by daemon.
    private(set) var watches: [String: Int32] = [:]
    /// One scan of the process table per loop turn serves every stop of that turn.
    private var tagged: TaggedProcesses?
    /// The open-file limit a daemon gets back when the monitor raised its own (unless
    /// its `limits` say otherwise).
    var daemonOpenFiles: Spawner.Limit?

    init(home: Home, capture: CaptureEnds) {
        self.home = home
        self.capture = capture
    }

    /// A new loop turn: the process table may have changed.
    func beginTurn() { tagged = nil }

    func spawn(_ spec: DaemonSpec, argv: [String], environment: [String: String]) throws -> ProcessIdentity {
        let output = try capture.ends(for: spec.name)
        let restored = spec.limits.nofile == nil ? daemonOpenFiles.map { [$0] } ?? [] : []
        let pid = try Spawner.spawn(argv, environment: environment, workingDirectory: spec.workingDirectory,
                                    output: output.stdout, errorOutput: output.stderr, limits: spec.limits.spawnLimits + restored)
        // The child has exec'd once the spawn returns (vfork), so its start time can be read.
        return ProcessTable.identity(of: pid) ?? ProcessIdentity(pid: pid, startTime: 0)
    }

    func check(_ identity: ProcessIdentity) -> IdentityCheck { ProcessTable.check(identity) }

    func watch(_ identity: ProcessIdentity, of daemon: String) -> Bool {
        unwatch(daemon)
        _ = try? capture.ends(for: daemon)   // held from now on, as for a daemon we started
        guard let fd = try? ProcessTable.openExitWatch(identity) else { return false }
        watches[daemon] = fd
        return true
    }

    func unwatch(_ daemon: String) {
        if let fd = watches.removeValue(forKey: daemon) { closeFD(fd) }
    }

    func release(_ daemon: String) { capture.release(daemon) }

    func isChild(_ identity: ProcessIdentity) -> Bool {
        ProcessTable.snapshot(identity.pid, withCommandLine: false).map { $0.parentPID == getpidValue() && $0.identity == identity } ?? false
    }

    /// The daemon whose watch descriptor this is.
    func daemon(watchedBy fd: Int32) -> String? {
        watches.first { $0.value == fd }?.key
    }

    func signal(_ target: StopTarget, _ signal: Signal) -> Int { Teardown.signal(target, signal) }

    func remaining(_ target: StopTarget) -> [ProcessIdentity] { Teardown.remaining(target) }

    func findRunning(_ spec: DaemonSpec) -> ProcessIdentity? {
        if let main = scan().main(of: spec) { return main.identity }
        let verification = PidTracker(home: home, declared: [spec]).verify(spec.name, record: nil, withCommandLine: false)
        return verification.verdict == .running ? verification.process?.identity : nil
    }

    private func scan() -> TaggedProcesses {
        if let tagged { return tagged }
        let fresh = TaggedProcesses.scan(home)
        tagged = fresh
        return fresh
    }

    func strays(of daemon: String, outside group: Int32?) -> [ProcessIdentity] {
        let tagged = scan()
        // The ones still in the daemon's group are reached by the group signal.
        return tagged.all(of: daemon).filter { $0.processGroup != group }.map(\.identity)
    }
}
