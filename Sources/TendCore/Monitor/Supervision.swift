import TendSystem

/// The heart of the monitor, in the manner of s6-supervise: a pure function from a
/// daemon's state and one event to its next state and the actions to perform. No I/O, no
/// clocks (the time comes with the call), no other code assigns a phase. The loop around
/// it (`MonitorCore`) performs the actions; an action that leads to an event (a spawn, a
/// policy question) has its event queued, never handled by recursion.
///
/// Every (phase, event) cell is spelled out: a new phase or event does not compile until
/// each of its cells is decided.
public enum Supervision {
    /// Where one daemon's process stands.
    public enum Phase: Equatable, Sendable {
        /// No process.
        case down
        /// A spawn was asked for; its outcome (`spawned` / `spawnFailed`) is queued.
        case starting(SpawnKind, reason: String)
        /// The process runs.
        case running(ProcessIdentity)
        /// A stop is under way: SIGTERM sent, SIGKILL due at `killAt` (monotonic; infinity
        /// once sent); `then` says what follows the death.
        case stopping(ProcessIdentity, killAt: Double, then: AfterStop)
        /// Dead and wanted up: policy question number `ticket` is out, answered by the
        /// built-in policy if no answer came by `deadline` (monotonic).
        case deciding(ExitInfo, ticket: Int, deadline: Double)
        /// Dead and wanted up: the policy scheduled a restart at `until` (monotonic).
        case waiting(until: Double, reason: String, exit: ExitInfo)
        /// Dead and wanted up, but kept down: the policy said so, or it cannot be started.
        case held(reason: String)
    }

    /// What the user wants of a daemon (persisted in its record).
    public typealias Want = WantedState

    /// A daemon as the monitor holds it: its phase, what the user wants, and whether
    /// daemons.lua still declares it (an undeclared daemon is never restarted).
    public struct State: Equatable, Sendable {
        public var phase: Phase
        public var want: Want
        public var declared: Bool
        /// Policy questions asked so far: the next one's ticket, so a late answer to an
        /// older question is told apart.
        public var questions: Int

        public init(phase: Phase = .down, want: Want = .down, declared: Bool = true, questions: Int = 0) {
            self.phase = phase
            self.want = want
            self.declared = declared
            self.questions = questions
        }
    }

    public enum AfterStop: Equatable, Sendable {
        case stayDown
        /// `tend restart`: start again at once, not counted against the policy's limits.
        case restart
        /// A failed health check: ask the policy, as for a death.
        case askPolicy(DeathCause, reason: String)
    }

    /// Why a process is started: it decides what the restart history records.
    public enum SpawnKind: Equatable, Sendable {
        /// `tend start`: not a restart, not in the history.
        case manualStart
        /// `tend restart`: in the history as manual (not counted by policies).
        case manualRestart
        /// The policy's decision after a death: counted.
        case automatic
    }

    /// What the monitor found of a daemon when it started (from its record and /proc).
    public enum Discovery: Equatable, Sendable {
        /// The recorded process is alive with its recorded start time; `stopping` if a stop
        /// was under way when the last monitor ended.
        case alive(ProcessIdentity, stopping: Bool)
        /// Wanted up, and its process is gone: how it was lost.
        case lost(ExitInfo)
        /// A restart was scheduled (monotonic `until`) when the last monitor ended.
        case waiting(until: Double, reason: String, exit: ExitInfo)
        /// It was held down, for this reason.
        case held(reason: String)
        /// No process and nothing pending.
        case nothing
    }

    public enum Event: Equatable, Sendable {
        case start                                  // `tend start`
        case stop                                   // `tend stop`
        case restart                                // `tend restart`
        case discovered(Discovery)                  // at the monitor's start
        case exited(ExitInfo)                       // the process died
        /// The main process exited cleanly and left descendants running: a program that
        /// daemonized itself, with `forking` unset (`exit.leftovers` names them).
        case daemonized(ExitInfo)
        /// With `forking`: the main process exited and this descendant carries on as the daemon.
        case handedOver(to: ProcessIdentity, group: Int32)
        case spawned(ProcessIdentity)
        case spawnFailed(reason: String)
        case decided(RestartDecision, ticket: Int)  // the policy's answer
        /// The policy cannot answer question `ticket` (its worker died): decide without it.
        case policyUnavailable(ticket: Int, why: String)
        case health(HealthResult)
        /// daemons.lua (re)loaded: whether it declares this daemon.
        case configured(declared: Bool)
        case tick                                   // a deadline may have passed
    }

    public enum Action: Equatable, Sendable {
        /// Start the process; its outcome comes back as `spawned` / `spawnFailed`.
        case spawn(SpawnKind, reason: String)
        /// Bookkeeping of a start: history (for restarts), counters, the lifecycle record.
        case recordStart(ProcessIdentity, SpawnKind, reason: String)
        case recordStartFailure(SpawnKind, reason: String)
        /// Watch a process we did not start (its exit descriptor).
        case watch(ProcessIdentity)
        /// The daemon's process is now this descendant of the one that exited.
        case recordHandover(from: Int32, to: ProcessIdentity, group: Int32)
        /// The stop sequence's signal to the process, its group and its strays.
        case signal(Signal)
        /// End what is left of the daemon's process tree (its group and its strays).
        case killLeftovers
        /// Ask the policy; the answer comes back as `decided` with this ticket.
        case askPolicy(ExitInfo, ticket: Int)
        /// The policy missed its deadline or is unavailable: the built-in policy decides
        /// (its answer comes back as `decided` with this ticket).
        case decideByFallback(ExitInfo, ticket: Int, why: String)
        case recordExit(ExitInfo)
        case recordHealth(HealthResult)
        /// Write the record now, before the next action (a stop's "down" and a stop under
        /// way must be on disk before the signal, so no monitor can "heal" it meanwhile).
        case saveNow
        case note(String)
    }

    /// The facts a transition needs besides the state: the time (monotonic) and the
    /// daemon's declared timings.
    public struct Context: Equatable, Sendable {
        public var now: Double
        public var stopTimeout: Double
        /// How long a policy has to answer.
        public var decideDeadline: Double

        public init(now: Double, stopTimeout: Double = 10, decideDeadline: Double = 0.25) {
            self.now = now
            self.stopTimeout = stopTimeout
            self.decideDeadline = decideDeadline
        }
    }

    public static func transition(_ state: State, _ event: Event, _ c: Context) -> (State, [Action]) {
        var s = state
        func go(_ phase: Phase, _ actions: [Action] = []) -> (State, [Action]) {
            s.phase = phase
            return (s, actions)
        }
        func stay(_ actions: [Action] = []) -> (State, [Action]) { (s, actions) }
        /// A death (or a lost process) of a daemon: the policy decides if it is wanted up
        /// and declared, else it stays down.
        func died(_ info: ExitInfo, first: [Action]) -> (State, [Action]) {
            guard s.want == .up, s.declared else { return go(.down, first) }
            s.questions += 1
            return go(.deciding(info, ticket: s.questions, deadline: c.now + c.decideDeadline),
                      first + [.askPolicy(info, ticket: s.questions)])
        }
        func startStopping(_ pid: ProcessIdentity, then: AfterStop, _ first: [Action] = []) -> (State, [Action]) {
            go(.stopping(pid, killAt: c.now + c.stopTimeout, then: then), first + [.saveNow, .signal(.terminate)])
        }
        func spawn(_ kind: SpawnKind, _ reason: String) -> (State, [Action]) {
            go(.starting(kind, reason: reason), [.spawn(kind, reason: reason)])
        }
        func userStart(_ kind: SpawnKind) -> (State, [Action]) {
            guard s.declared else { return stay([.note("not started: no longer in daemons.lua")]) }
            s.want = .up
            return spawn(kind, kind == .manualRestart ? "manual restart" : "manual start")
        }
        func userStop() -> (State, [Action]) {
            s.want = .down
            return go(.down, [.saveNow, .killLeftovers])   // what a death left behind goes too
        }
        func daemonizedItself(_ info: ExitInfo) -> (State, [Action]) {
            guard s.want == .up, s.declared else { return go(.down, [.recordExit(info)]) }
            let pids = (info.leftovers ?? []).map { String($0.pid) }.joined(separator: ", ")
            return go(.held(reason: "the program daemonized itself (pid \(pids) still running): run it in the foreground, or set forking = true"),
                      [.recordExit(info)])
        }

        switch (state.phase, event) {
        // MARK: down — no process
        case (.down, .start): return userStart(.manualStart)
        case (.down, .restart): return userStart(.manualRestart)
        case (.down, .stop): return userStop()
        case (.down, .discovered(let found)):
            switch found {
            case .alive(let pid, let stopping):
                if stopping {
                    // The last monitor was stopping it; if it is wanted up that was a restart.
                    let then: AfterStop = s.want == .up ? .restart : .stayDown
                    return go(.stopping(pid, killAt: c.now + c.stopTimeout, then: then),
                              [.watch(pid), .note("adopted pid \(pid.pid) (identity verified); its stop goes on")])
                }
                return go(.running(pid), [.watch(pid), .note("adopted pid \(pid.pid) (identity verified)")])
            case .lost(let info): return died(info, first: [.recordExit(info)])
            case .waiting(let until, let reason, let exit):
                return s.want == .up && s.declared ? go(.waiting(until: until, reason: reason, exit: exit)) : stay()
            case .held(let reason): return s.want == .up && s.declared ? go(.held(reason: reason)) : stay()
            case .nothing: return stay()
            }
        case (.down, .exited): return stay()                 // already handled
        case (.down, .daemonized): return stay()
        case (.down, .handedOver): return stay()
        case (.down, .spawned(let pid)):
            // Not expected (spawns come from `starting`), but a process we started must not
            // run unsupervised: keep it if wanted, else stop it.
            return s.want == .up ? go(.running(pid), [.recordStart(pid, .manualStart, reason: "started")])
                                 : startStopping(pid, then: .stayDown, [.recordStart(pid, .manualStart, reason: "started")])
        case (.down, .spawnFailed): return stay()
        case (.down, .decided): return stay()                // the user acted meanwhile
        case (.down, .policyUnavailable): return stay()
        case (.down, .health): return stay()
        case (.down, .configured(let declared)): s.declared = declared; return stay()
        case (.down, .tick): return stay()

        // MARK: starting — a spawn is under way
        case (.starting, .start), (.starting, .restart):
            s.want = .up
            return stay()
        case (.starting, .stop):
            s.want = .down                                   // the new process is stopped when it appears
            return stay([.saveNow])
        case (.starting, .discovered): return stay()
        case (.starting, .exited): return stay()
        case (.starting, .daemonized): return stay()
        case (.starting, .handedOver): return stay()
        case (.starting(let kind, let reason), .spawned(let pid)):
            let record = Action.recordStart(pid, kind, reason: reason)
            return s.want == .up ? go(.running(pid), [record]) : startStopping(pid, then: .stayDown, [record])
        case (.starting(let kind, _), .spawnFailed(let reason)):
            // Not retried on its own (a missing program would only fail again): held with
            // the reason until someone starts it.
            return go(.held(reason: "cannot start: \(reason)"), [.recordStartFailure(kind, reason: reason)])
        case (.starting, .decided): return stay()
        case (.starting, .policyUnavailable): return stay()
        case (.starting, .health): return stay()
        case (.starting, .configured(let declared)): s.declared = declared; return stay()
        case (.starting, .tick): return stay()

        // MARK: running
        case (.running, .start):
            s.want = .up
            return stay()
        case (.running(let pid), .restart):
            s.want = .up
            return startStopping(pid, then: .restart)
        case (.running(let pid), .stop):
            s.want = .down
            return startStopping(pid, then: .stayDown)
        case (.running, .discovered): return stay()
        case (.running, .exited(let info)): return died(info, first: [.recordExit(info)])
        case (.running, .daemonized(let info)): return daemonizedItself(info)
        case (.running(let pid), .handedOver(let next, let group)):
            return go(.running(next), [.recordHandover(from: pid.pid, to: next, group: group)])
        case (.running, .spawned): return stay()
        case (.running, .spawnFailed): return stay()
        case (.running, .decided): return stay()
        case (.running, .policyUnavailable): return stay()
        case (.running(let pid), .health(let result)):
            guard result.failed, s.want == .up, s.declared else { return stay([.recordHealth(result)]) }
            return startStopping(pid, then: .askPolicy(.healthCheckFailed, reason: result.reason),
                                 [.recordHealth(result), .note("health check failed: \(result.reason); stopping it")])
        case (.running, .configured(let declared)): s.declared = declared; return stay()
        case (.running, .tick): return stay()

        // MARK: stopping — SIGTERM sent
        case (.stopping(let pid, let killAt, _), .start), (.stopping(let pid, let killAt, _), .restart):
            s.want = .up
            return go(.stopping(pid, killAt: killAt, then: .restart), [.saveNow])
        case (.stopping(let pid, let killAt, _), .stop):
            s.want = .down
            return go(.stopping(pid, killAt: killAt, then: .stayDown), [.saveNow])
        case (.stopping, .discovered): return stay()
        case (.stopping(let pid, let killAt, let then), .handedOver(let next, let group)):
            // The stop goes on with the process that carries on.
            return go(.stopping(next, killAt: killAt, then: then),
                      [.recordHandover(from: pid.pid, to: next, group: group), .signal(.terminate)])
        case (.stopping(_, _, let then), .exited(let info)), (.stopping(_, _, let then), .daemonized(let info)):
            switch then {
            case .stayDown: return go(.down, [.recordExit(info), .killLeftovers])
            case .restart:
                guard s.declared else { return go(.down, [.recordExit(info), .killLeftovers]) }
                return go(.starting(.manualRestart, reason: "manual restart"),
                          [.recordExit(info), .killLeftovers, .spawn(.manualRestart, reason: "manual restart")])
            case .askPolicy(let cause, let reason):
                // Stopped for a failed check: that is the exit to record and decide on.
                var asked = info
                asked.cause = cause
                asked.detail = reason
                return died(asked, first: [.recordExit(asked), .killLeftovers])
            }
        case (.stopping, .spawned): return stay()
        case (.stopping, .spawnFailed): return stay()
        case (.stopping, .decided): return stay()
        case (.stopping, .policyUnavailable): return stay()
        case (.stopping, .health): return stay()
        case (.stopping, .configured(let declared)): s.declared = declared; return stay()
        case (.stopping(let pid, let killAt, let then), .tick):
            guard c.now >= killAt else { return stay() }
            // SIGKILL once; then wait for the death (the deadline moves out of reach).
            return go(.stopping(pid, killAt: .infinity, then: then),
                      [.note("stop timeout (\(Clock.humanDuration(c.stopTimeout))): sending SIGKILL"), .signal(.kill)])

        // MARK: deciding — the policy's answer is awaited
        case (.deciding, .start): return userStart(.manualStart)
        case (.deciding, .restart): return userStart(.manualRestart)
        case (.deciding, .stop): return userStop()
        case (.deciding, .discovered): return stay()
        case (.deciding, .exited): return stay()
        case (.deciding, .daemonized): return stay()
        case (.deciding, .handedOver): return stay()
        case (.deciding, .spawned): return stay()
        case (.deciding, .spawnFailed): return stay()
        case (.deciding(let info, let ticket, _), .decided(let decision, let answered)):
            guard answered == ticket else { return stay() }  // a late answer to an older question
            switch decision.action {
            case .restartNow: return spawn(.automatic, info.reason)
            case .restartAfter(let seconds):
                return go(.waiting(until: c.now + seconds, reason: decision.reason, exit: info))
            case .stayDown: return go(.held(reason: decision.reason))
            }
        case (.deciding(let info, let ticket, _), .policyUnavailable(let unavailable, let why)):
            guard unavailable == ticket else { return stay() }
            return go(.deciding(info, ticket: ticket, deadline: .infinity), [.decideByFallback(info, ticket: ticket, why: why)])
        case (.deciding, .health): return stay()
        case (.deciding, .configured(let declared)):
            s.declared = declared
            return declared ? stay() : go(.down, [.note("not restarted: no longer in daemons.lua")])
        case (.deciding(let info, let ticket, let deadline), .tick):
            guard c.now >= deadline else { return stay() }
            return go(.deciding(info, ticket: ticket, deadline: .infinity),
                      [.decideByFallback(info, ticket: ticket, why: "the policy did not answer within \(Int((c.decideDeadline * 1000).rounded())) ms")])

        // MARK: waiting — a restart is scheduled
        case (.waiting, .start): return userStart(.manualStart)
        case (.waiting, .restart): return userStart(.manualRestart)
        case (.waiting, .stop): return userStop()
        case (.waiting, .discovered): return stay()
        case (.waiting, .exited): return stay()
        case (.waiting, .daemonized): return stay()
        case (.waiting, .handedOver): return stay()
        case (.waiting, .spawned): return stay()
        case (.waiting, .spawnFailed): return stay()
        case (.waiting, .decided): return stay()
        case (.waiting, .policyUnavailable): return stay()
        case (.waiting, .health): return stay()
        case (.waiting, .configured(let declared)):
            s.declared = declared
            return declared ? stay() : go(.down, [.note("scheduled restart cancelled: no longer in daemons.lua")])
        case (.waiting(let until, _, let exit), .tick):
            guard c.now >= until else { return stay() }
            return spawn(.automatic, exit.reason)

        // MARK: held — kept down
        case (.held, .start): return userStart(.manualStart)
        case (.held, .restart): return userStart(.manualRestart)
        case (.held, .stop): return userStop()
        case (.held, .discovered): return stay()
        case (.held, .exited): return stay()
        case (.held, .daemonized): return stay()
        case (.held, .handedOver): return stay()
        case (.held, .spawned): return stay()
        case (.held, .spawnFailed): return stay()
        case (.held, .decided): return stay()
        case (.held, .policyUnavailable): return stay()
        case (.held, .health): return stay()
        case (.held, .configured(let declared)):
            s.declared = declared
            return declared ? stay() : go(.down)
        case (.held, .tick): return stay()
        }
    }

    /// When this phase next needs a `.tick`, if ever (monotonic).
    public static func deadline(of phase: Phase) -> Double? {
        switch phase {
        case .waiting(let until, _, _): return until
        case .stopping(_, let killAt, _): return killAt.isFinite ? killAt : nil
        case .deciding(_, _, let deadline): return deadline.isFinite ? deadline : nil
        case .down, .starting, .running, .held: return nil
        }
    }
}

extension Supervision.Phase {
    /// The process the monitor is responsible for, if any.
    public var process: ProcessIdentity? {
        switch self {
        case .running(let p), .stopping(let p, _, _): return p
        case .down, .starting, .deciding, .waiting, .held: return nil
        }
    }
}
