/// The heart of the monitor: a pure function from (phase, event) to (phase, actions),
/// in the manner of s6-supervise. No I/O, no clocks: the loop around it (`Monitor`)
/// performs the actions and feeds back events, and tests drive it cell by cell.
public enum Supervision {
    /// Where one daemon stands, as the monitor sees it.
    public enum Phase: Equatable, Sendable {
        /// No process, and none wanted (or not yet decided).
        case stopped
        /// A process runs.
        case running(pid: Int32)
        /// A stop is under way: SIGTERM sent, SIGKILL due at `killAt`; `then` says what
        /// follows the process's death.
        case stopping(pid: Int32, killAt: Double, then: AfterStop)
        /// Dead and wanted up: the policy scheduled a restart at `until`, for `reason`;
        /// `exit` is why it died (what the restart history records).
        case waiting(until: Double, reason: String, exit: String)
        /// Dead and wanted up, but the policy said stay down.
        case held(reason: String)
        /// The policy is being asked (between a death and its decision).
        case deciding(ExitInfo)
    }

    public enum AfterStop: Equatable, Sendable {
        case stayDown
        /// `tend restart`: start again at once, not counted against the policy's limits.
        case manualRestart
        /// A failed health check: ask the policy, as for a death.
        case askPolicy(DeathCause)
    }

    public enum Event: Equatable, Sendable {
        case start            // `tend start`
        case stop             // `tend stop`
        case restart          // `tend restart`
        case healthFailed(reason: String)
        case exited(ExitInfo)
        case decided(RestartDecision)
        case spawned(pid: Int32)
        case spawnFailed(reason: String)
        case tick(now: Double)
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

    public enum Action: Equatable, Sendable {
        case spawn(SpawnKind, reason: String)
        case signalGroup(Int32)
        /// Kill what is left of the group after its leader died during a stop.
        case killLeftovers
        case askPolicy(ExitInfo)
        case recordExit(ExitInfo)
        /// Persist the wanted state before acting (stop racing auto-restart).
        case setWanted(WantedState)
        case note(String)
    }

    public static func transition(_ phase: Phase, _ event: Event, stopTimeout: Double, now: Double) -> (Phase, [Action]) {
        switch (phase, event) {
        // Start / restart
        case (.running, .start):
            return (phase, [.setWanted(.up), .note("already running")])
        case (.stopping(let pid, let killAt, _), .start), (.stopping(let pid, let killAt, _), .restart):
            return (.stopping(pid: pid, killAt: killAt, then: .manualRestart), [.setWanted(.up)])
        case (.stopped, .start), (.waiting, .start), (.held, .start), (.deciding, .start),
             (.stopped, .restart), (.waiting, .restart), (.held, .restart), (.deciding, .restart):
            return (phase, [.setWanted(.up), .spawn(event == .restart ? .manualRestart : .manualStart, reason: event == .restart ? "manual restart" : "manual start")])
        case (.running(let pid), .restart):
            return (.stopping(pid: pid, killAt: now + stopTimeout, then: .manualRestart), [.setWanted(.up), .signalGroup(SIGTERMValue)])

        // Stop
        case (.running(let pid), .stop):
            return (.stopping(pid: pid, killAt: now + stopTimeout, then: .stayDown), [.setWanted(.down), .signalGroup(SIGTERMValue)])
        case (.stopping(let pid, let killAt, _), .stop):
            return (.stopping(pid: pid, killAt: killAt, then: .stayDown), [.setWanted(.down)])
        case (.stopped, .stop), (.waiting, .stop), (.held, .stop), (.deciding, .stop):
            return (.stopped, [.setWanted(.down)])

        // Health
        case (.running(let pid), .healthFailed(let reason)):
            return (.stopping(pid: pid, killAt: now + stopTimeout, then: .askPolicy(.healthCheckFailed)),
                    [.note("health check failed: \(reason)"), .signalGroup(SIGTERMValue)])
        case (_, .healthFailed):
            return (phase, [])

        // Deaths
        case (.running, .exited(let info)):
            return (.deciding(info), [.recordExit(info), .askPolicy(info)])
        case (.stopping(_, _, let then), .exited(let info)):
            switch then {
            case .stayDown:
                return (.stopped, [.recordExit(info), .killLeftovers])
            case .manualRestart:
                return (.stopped, [.recordExit(info), .killLeftovers, .spawn(.manualRestart, reason: "manual restart")])
            case .askPolicy(let cause):
                var asked = info
                asked.cause = cause
                return (.deciding(asked), [.recordExit(info), .killLeftovers, .askPolicy(asked)])
            }
        case (_, .exited):
            return (phase, [])   // a death we already handled (e.g. reported twice)

        // Policy decisions
        case (.deciding(let info), .decided(let d)):
            switch d.action {
            case .restartNow: return (.deciding(info), [.spawn(.automatic, reason: info.reason)])
            case .restartAfter(let s): return (.waiting(until: now + s, reason: d.reason, exit: info.reason), [])
            case .stayDown: return (.held(reason: d.reason), [])
            }
        case (_, .decided):
            return (phase, [])   // the user acted meanwhile; their word wins

        // Spawning
        case (_, .spawned(let pid)):
            return (.running(pid: pid), [])
        case (_, .spawnFailed(let reason)):
            // Not retried on its own (a missing program would only fail again): the
            // daemon is held with the reason until someone starts it.
            return (.held(reason: "cannot start: \(reason)"), [])

        // Time
        case (.waiting(let until, _, let exit), .tick(let t)) where t >= until:
            return (.deciding(ExitInfo(cause: .unknown, at: t)), [.spawn(.automatic, reason: exit)])
        case (.stopping(let pid, let killAt, let then), .tick(let t)) where t >= killAt:
            // SIGKILL once; then wait for the reaper (the deadline moves far out).
            return (.stopping(pid: pid, killAt: .infinity, then: then), [.note("stop timeout: sending SIGKILL"), .signalGroup(SIGKILLValue)])
        case (_, .tick):
            return (phase, [])
        }
    }

    /// When this phase next needs a `.tick`, if ever.
    public static func deadline(of phase: Phase) -> Double? {
        switch phase {
        case .waiting(let until, _, _): return until
        case .stopping(_, let killAt, _) where killAt.isFinite: return killAt
        default: return nil
        }
    }
}

// Signal numbers are the same on Linux and macOS for these two.
let SIGTERMValue: Int32 = 15
let SIGKILLValue: Int32 = 9
