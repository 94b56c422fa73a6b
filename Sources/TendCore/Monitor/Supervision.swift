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
        /// The daemon waits for the daemons it names in `after` to be ready, until `until`
        /// (monotonic), then it is held; the start it waits to make is `kind`.
        case pending(SpawnKind, reason: String, until: Double, on: [String])
        /// The process runs; `readiness` says whether its check has passed since it started.
        case running(ProcessIdentity, readiness: Readiness)
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

    /// Whether a running daemon is ready: it has no health check, or its check passed once
    /// since it started. Until then, a failing check means "not ready yet" — until
    /// `readyTimeout` has passed (monotonic `until`), after which it counts as a failure.
    public enum Readiness: Equatable, Sendable {
        case ready
        case notReady(until: Double)
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
        /// A start cannot be made yet: daemons it names in `after` are not ready.
        case blocked(on: [String])
        /// Every daemon it names in `after` is ready now.
        case dependenciesReady
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
        /// End what is left of the daemon's process tree (its group and its strays): SIGTERM
        /// now and SIGKILL at `killAt` (monotonic) to whatever still runs then, so a
        /// descendant gets the same `stop_timeout` as the daemon; SIGKILL at once when
        /// `killAt` has passed (or is infinity: SIGKILL was sent already).
        case endLeftovers(killAt: Double)
        /// Ask the policy; the answer comes back as `decided` with this ticket.
        case askPolicy(ExitInfo, ticket: Int)
        /// The policy missed its deadline or is unavailable: the built-in policy decides
        /// (its answer comes back as `decided` with this ticket).
        case decideByFallback(ExitInfo, ticket: Int, why: String)
        /// Record the death; `explained` says what it means when the user must act on it
        /// (a program that daemonized itself), in the same record as its leftovers.
        case recordExit(ExitInfo, explained: String? = nil)
        case recordHealth(HealthResult)
        /// Write the record now, before the next action (a stop's "down" and a stop under
        /// way must be on disk before the signal, so no monitor can "heal" it meanwhile).
        case saveNow
        case note(String)
    }

    /// The facts a transition needs besides the state: the time (monotonic) and what the
    /// daemon's declaration says.
    public struct Context: Equatable, Sendable {
        public var now: Double
        public var stopTimeout: Double
        /// How long a policy has to answer.
        public var decideDeadline: Double
        /// Seconds a daemon may take to be ready (`ready_timeout`): its dependents wait
        /// that long, and its own check's failures count only after it.
        public var readyTimeout: Double
        /// It has a health check (else it is ready once it runs).
        public var hasCheck: Bool
        /// PIDs of processes its last run left behind that still run (only while no process
        /// of its own runs).
        public var leftovers: [Int32]
        /// The last run exited cleanly and left them: they are the program, daemonized, and
        /// a start now would run a second copy. Otherwise they are what outlived a crash.
        public var leftoversAreTheProgram: Bool

        public init(now: Double, stopTimeout: Double = 10, decideDeadline: Double = 0.25,
                    readyTimeout: Double = 60, hasCheck: Bool = false, leftovers: [Int32] = [],
                    leftoversAreTheProgram: Bool = false) {
            self.now = now
            self.stopTimeout = stopTimeout
            self.decideDeadline = decideDeadline
            self.readyTimeout = readyTimeout
            self.hasCheck = hasCheck
            self.leftovers = leftovers
            self.leftoversAreTheProgram = leftoversAreTheProgram
        }
    }

    /// When this phase next needs a `.tick`, if ever (monotonic).
    public static func deadline(of phase: Phase) -> Double? {
        switch phase {
        case .waiting(let until, _, _): return until
        case .stopping(_, let killAt, _): return killAt.isFinite ? killAt : nil
        case .deciding(_, _, let deadline): return deadline.isFinite ? deadline : nil
        case .pending(_, _, let until, _): return until
        case .down, .starting, .running, .held: return nil
        }
    }
}

extension Supervision.Phase {
    /// The process the monitor is responsible for, if any.
    public var process: ProcessIdentity? {
        switch self {
        case .running(let p, _), .stopping(let p, _, _): return p
        case .down, .starting, .pending, .deciding, .waiting, .held: return nil
        }
    }
}
