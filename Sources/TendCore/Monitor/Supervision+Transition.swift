import TendSystem

extension Supervision {
    /// The one function that changes a daemon's state: (phase, want, declared) × event →
    /// next state and actions. Every cell is spelled out, no wildcard, no default.
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
            let reason = kind == .manualRestart ? "manual restart" : "manual start"
            guard !c.leftovers.isEmpty else { return spawn(kind, reason) }
            guard c.leftoversAreTheProgram else {
                // What outlived a crash (a child of the dead run) goes first, so the new
                // copy does not run beside it.
                return go(.starting(kind, reason: reason), [.endLeftovers(killAt: c.now), .spawn(kind, reason: reason)])
            }
            return heldBesideLeftovers()
        }
        /// The program daemonized itself and its copy still runs: a start would run a second
        /// copy beside it, so it is held instead, with the reason it was held for (which
        /// names the fix) or else one naming the PIDs; `tend stop` ends them.
        func heldBesideLeftovers() -> (State, [Action]) {
            let pids = c.leftovers.map(String.init).joined(separator: ", ")
            var reason = "its last run left pid \(pids) running: a start would run a second copy (`tend stop` ends them)"
            if case .held(let held) = state.phase { reason = held }
            return go(.held(reason: reason), [.note("not started: pid \(pids) of its last run still running")])
        }
        func userStop() -> (State, [Action]) {
            s.want = .down
            // What a death left behind goes too, given the daemon's stop_timeout.
            return go(.down, [.saveNow, .endLeftovers(killAt: c.now + c.stopTimeout)])
        }
        func daemonizedItself(_ info: ExitInfo) -> (State, [Action]) {
            guard s.want == .up, s.declared else { return go(.down, [.recordExit(info)]) }
            let pids = (info.leftovers ?? []).map { String($0.pid) }.joined(separator: ", ")
            let reason = "the program daemonized itself (pid \(pids) still running): run it in the foreground, or set forking = true"
            return go(.held(reason: reason), [.recordExit(info, explained: reason)])
        }
        /// A new process runs: ready at once without a check, else once its check passes.
        func runs(_ pid: ProcessIdentity, _ first: [Action]) -> (State, [Action]) {
            go(.running(pid, readiness: c.hasCheck ? .notReady(until: c.now + c.readyTimeout) : .ready), first)
        }
        func undeclaredGoesDown(_ declared: Bool, _ note: String?) -> (State, [Action]) {
            s.declared = declared
            return declared ? stay() : go(.down, note.map { [.note($0)] } ?? [])
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
                // It ran before this monitor: ready as far as anyone can tell.
                return go(.running(pid, readiness: .ready), [.watch(pid), .note("adopted pid \(pid.pid) (identity verified)")])
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
            return s.want == .up ? runs(pid, [.recordStart(pid, .manualStart, reason: "started")])
                                 : startStopping(pid, then: .stayDown, [.recordStart(pid, .manualStart, reason: "started")])
        case (.down, .spawnFailed): return stay()
        case (.down, .decided): return stay()                // the user acted meanwhile
        case (.down, .policyUnavailable): return stay()
        case (.down, .health): return stay()
        case (.down, .configured(let declared)): s.declared = declared; return stay()
        case (.down, .blocked): return stay()
        case (.down, .dependenciesReady): return stay()
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
            return s.want == .up ? runs(pid, [record]) : startStopping(pid, then: .stayDown, [record])
        case (.starting(let kind, _), .spawnFailed(let reason)):
            // Not retried on its own (a missing program would only fail again): held with
            // the reason until someone starts it.
            return go(.held(reason: "cannot start: \(reason)"), [.recordStartFailure(kind, reason: reason)])
        case (.starting, .decided): return stay()
        case (.starting, .policyUnavailable): return stay()
        case (.starting, .health): return stay()
        case (.starting, .configured(let declared)): s.declared = declared; return stay()
        case (.starting(let kind, let reason), .blocked(let names)):
            guard s.want == .up else { return go(.down) }
            return go(.pending(kind, reason: reason, until: c.now + c.readyTimeout, on: names),
                      [.note("waiting for \(names.joined(separator: ", ")) to be ready before starting")])
        case (.starting, .dependenciesReady): return stay()
        case (.starting, .tick): return stay()

        // MARK: pending — waiting for the daemons it needs
        case (.pending, .start), (.pending, .restart):
            s.want = .up
            return stay()
        case (.pending, .stop): return userStop()
        case (.pending, .discovered): return stay()
        case (.pending, .exited): return stay()
        case (.pending, .daemonized): return stay()
        case (.pending, .handedOver): return stay()
        case (.pending, .spawned): return stay()
        case (.pending, .spawnFailed): return stay()
        case (.pending, .decided): return stay()
        case (.pending, .policyUnavailable): return stay()
        case (.pending, .health): return stay()
        case (.pending, .configured(let declared)):
            return undeclaredGoesDown(declared, "not started: no longer in daemons.lua")
        case (.pending(let kind, let reason, let until, _), .blocked(let names)):
            return go(.pending(kind, reason: reason, until: until, on: names))   // fewer (or other) to wait for
        case (.pending(let kind, let reason, _, _), .dependenciesReady): return spawn(kind, reason)
        case (.pending(_, _, let until, let names), .tick):
            guard c.now >= until else { return stay() }
            return go(.held(reason: "\(names.joined(separator: ", ")) not ready after \(Clock.humanDuration(c.readyTimeout)) (ready_timeout)"),
                      [.note("not started: \(names.joined(separator: ", ")) not ready in time")])

        // MARK: running
        case (.running, .start):
            s.want = .up
            return stay()
        case (.running(let pid, _), .restart):
            s.want = .up
            return startStopping(pid, then: .restart)
        case (.running(let pid, _), .stop):
            s.want = .down
            return startStopping(pid, then: .stayDown)
        case (.running, .discovered): return stay()
        case (.running, .exited(let info)): return died(info, first: [.recordExit(info)])
        case (.running, .daemonized(let info)): return daemonizedItself(info)
        case (.running(let pid, let readiness), .handedOver(let next, let group)):
            return go(.running(next, readiness: readiness), [.recordHandover(from: pid.pid, to: next, group: group)])
        case (.running, .spawned): return stay()
        case (.running, .spawnFailed): return stay()
        case (.running, .decided): return stay()
        case (.running, .policyUnavailable): return stay()
        case (.running(let pid, let readiness), .health(let result)):
            switch result.state {
            case .healthy:
                return go(.running(pid, readiness: .ready), [.recordHealth(result)])
            case .unknown:
                return stay([.recordHealth(result)])
            case .unhealthy:
                // Before its first pass (within ready_timeout), failing is "not ready yet".
                if case .notReady(let until) = readiness, c.now < until { return stay([.recordHealth(result)]) }
                guard s.want == .up, s.declared else { return stay([.recordHealth(result)]) }
                return startStopping(pid, then: .askPolicy(.healthCheckFailed, reason: result.reason),
                                     [.recordHealth(result), .note("health check failed: \(result.reason); stopping it")])
            }
        case (.running, .configured(let declared)): s.declared = declared; return stay()
        case (.running, .blocked): return stay()
        case (.running, .dependenciesReady): return stay()
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
        case (.stopping(_, let killAt, let then), .exited(let info)), (.stopping(_, let killAt, let then), .daemonized(let info)):
            // Descendants still handling the SIGTERM keep the stop's deadline; a restart
            // does not wait for them (the new copy starts now, they go at once).
            let rest = Action.endLeftovers(killAt: killAt)
            switch then {
            case .stayDown: return go(.down, [.recordExit(info), rest])
            case .restart:
                guard s.declared else { return go(.down, [.recordExit(info), rest]) }
                return go(.starting(.manualRestart, reason: "manual restart"),
                          [.recordExit(info), .endLeftovers(killAt: c.now), .spawn(.manualRestart, reason: "manual restart")])
            case .askPolicy(let cause, let reason):
                // Stopped for a failed check: that is the exit to record and decide on.
                var asked = info
                asked.cause = cause
                asked.detail = reason
                return died(asked, first: [.recordExit(asked), .endLeftovers(killAt: c.now)])
            }
        case (.stopping, .spawned): return stay()
        case (.stopping, .spawnFailed): return stay()
        case (.stopping, .decided): return stay()
        case (.stopping, .policyUnavailable): return stay()
        case (.stopping, .health): return stay()
        case (.stopping, .configured(let declared)): s.declared = declared; return stay()
        case (.stopping, .blocked): return stay()
        case (.stopping, .dependenciesReady): return stay()
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
            return undeclaredGoesDown(declared, "not restarted: no longer in daemons.lua")
        case (.deciding, .blocked): return stay()
        case (.deciding, .dependenciesReady): return stay()
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
            return undeclaredGoesDown(declared, "scheduled restart cancelled: no longer in daemons.lua")
        case (.waiting, .blocked): return stay()
        case (.waiting, .dependenciesReady): return stay()
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
        case (.held, .configured(let declared)): return undeclaredGoesDown(declared, nil)
        case (.held, .blocked): return stay()
        case (.held, .dependenciesReady): return stay()
        case (.held, .tick): return stay()
        }
    }
}
