/// Everything one stop must reach: the main process, the process group it leads, and
/// descendants that left that group (a `setsid` or a double fork escapes a group kill).
/// Every part is signalled only while its identity still holds.
public struct StopTarget: Sendable, Equatable {
    /// The main process; nil once it is gone.
    public var main: ProcessIdentity?
    /// The group the main process led (Tend starts every daemon as a group leader).
    public var group: Int32?
    /// Descendants outside the group, each verified by PID and start time.
    public var strays: [ProcessIdentity]

    public init(main: ProcessIdentity?, group: Int32?, strays: [ProcessIdentity] = []) {
        self.main = main
        self.group = group
        self.strays = strays
    }
}

/// The one stop sequence: signal the group (and the strays), wait, escalate to SIGKILL
/// after a timeout, and report who remained. The monitor drives it step by step from its
/// state machine (`signal`, then `remaining` when the main process has died); commands
/// without a monitor and short probe commands run it whole with `run`.
public enum Teardown {
    /// Sends `signal` to every part of `target` that is still verifiably the same process
    /// (or, for the group, still ours). Returns the number of parts signalled.
    @discardableResult
    public static func signal(_ target: StopTarget, _ signal: Signal) -> Int {
        var reached = 0
        if let main = target.main, ProcessTable.check(main) == .alive {
            let leads = target.group == main.pid
            if leads ? Signals.sendToGroup(signal, leader: main) : Signals.send(signal, to: main) { reached += 1 }
        } else if let group = target.group, Signals.sendToOrphanedGroup(signal, group: group) {
            reached += 1
        }
        for stray in target.strays where Signals.send(signal, to: stray) { reached += 1 }
        return reached
    }

    /// What of `target` is still alive: the main process, members of its group (while the
    /// group ID is still ours), and strays.
    public static func remaining(_ target: StopTarget) -> [ProcessIdentity] {
        var alive: [ProcessIdentity] = []
        let mainAlive = target.main.map { ProcessTable.check($0) == .alive } ?? false
        if mainAlive, let main = target.main { alive.append(main) }
        if let group = target.group, mainAlive || ProcessTable.identity(of: group) == nil {
            alive += ProcessTable.members(ofGroup: group)
        }
        alive += target.strays.filter { ProcessTable.check($0) == .alive }
        var seen = Set<ProcessIdentity>()
        return alive.filter { seen.insert($0).inserted }
    }

    public struct Outcome: Sendable, Equatable {
        /// SIGKILL had to be sent (the timeout passed).
        public var escalated: Bool
        /// Processes still alive after SIGKILL and the grace period (not ours to end?).
        public var remained: [ProcessIdentity]
    }

    /// The whole sequence, blocking: SIGTERM, up to `timeout` for everything to end,
    /// SIGKILL, up to `grace` more. The main process's exit is awaited on its exit
    /// descriptor; the rest of the group and the strays are looked at every 20 ms.
    public static func run(_ target: StopTarget, timeout: Double, grace: Double = 2) -> Outcome {
        let watch = target.main.flatMap { try? ProcessTable.openExitWatch($0) }
        defer { if let watch { closeFD(watch) } }
        var watchOpen = watch != nil
        func waitUntilGone(_ seconds: Double) -> Bool {
            let deadline = Clock.monotonic() + seconds
            while true {
                if remaining(target).isEmpty { return true }
                let left = deadline - Clock.monotonic()
                if left <= 0 { return false }
                if watchOpen, let watch, !Poller.waitReadable([watch], timeout: min(left, 0.02)).isEmpty {
                    watchOpen = false   // the main process ended; the rest is looked at
                } else if !watchOpen {
                    _ = Poller.waitReadable([], timeout: min(left, 0.02))
                }
            }
        }
        signal(target, .terminate)
        if waitUntilGone(timeout) { return Outcome(escalated: false, remained: []) }
        signal(target, .kill)
        _ = waitUntilGone(grace)
        return Outcome(escalated: true, remained: remaining(target))
    }
}
