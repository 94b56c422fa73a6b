import TendSystem

/// Performing the state machine's actions. None of them changes a phase: what they learn
/// (a spawn's outcome, a decision) is posted as an event.
extension MonitorCore {
    func perform(_ action: Supervision.Action, on rt: DaemonRuntime) {
        let wall = clock.wall
        switch action {
        case .spawn(let kind, let reason):
            spawn(rt, kind, reason: reason)

        case .recordStart(let pid, let kind, let reason):
            let automatic = kind == .automatic
            rt.facts.processGroup = pid.pid
            rt.facts.command = rt.spec.argv(tendExecutable: tendExecutable)
            rt.facts.startedAt = wall
            rt.facts.lastHealth = nil
            if automatic { rt.facts.restartCount += 1 }
            if kind != .manualStart {
                rt.history.append(RestartEvent(time: wall, reason: reason, oldPID: rt.facts.lastExit?.pid,
                                               newPID: pid.pid, success: true, manual: !automatic))
                rt.historyDirty = true
            }
            rt.readinessProbeDelay = Self.firstReadinessProbe
            scheduleCheck(rt)
            rt.lifecycle("started pid \(pid.pid) (\(automatic ? "restart: " + reason : reason))", at: wall,
                         fields: ["pid": .int(Int64(pid.pid))])
            say("\(rt.name): started pid \(pid.pid)")

        case .recordStartFailure(let kind, let reason):
            if kind == .automatic {
                rt.history.append(RestartEvent(time: wall, reason: "restart", oldPID: rt.facts.lastExit?.pid,
                                               newPID: nil, success: false, manual: false, error: reason))
                rt.historyDirty = true
            }
            rt.pendingLog.append(LogRecord(ts: wall, level: .error, daemon: rt.name, msg: "cannot start \(rt.name): \(reason)",
                                           fields: ["command": .array(rt.spec.argv(tendExecutable: tendExecutable).map { .string($0) })]))
            say("\(rt.name): cannot start: \(reason)")

        case .recordHandover(let previous, let next, let group):
            rt.facts.processGroup = group
            rt.lifecycle("pid \(previous) exited and left pid \(next.pid) running (forking = true): pid \(next.pid) is the daemon now",
                         at: wall, fields: ["pid": .int(Int64(next.pid))])
            say("\(rt.name): handed over to pid \(next.pid)")
            // Orphans come to the monitor (a subreaper), so it is usually our child; if not, watch it.
            if !processes.isChild(next), !processes.watch(next, of: rt.name) {
                post(rt.name, .exited(ExitInfo(cause: .exitedUnknown, at: wall, uptime: uptime(rt, at: wall), pid: next.pid)))
            }

        case .watch(let pid):
            scheduleCheck(rt)
            if !processes.watch(pid, of: rt.name) {
                // It died between the check and the watch.
                post(rt.name, .exited(ExitInfo(cause: .exitedUnknown, at: wall, uptime: uptime(rt, at: wall), pid: pid.pid)))
            }

        case .signal(let signal):
            let target = stopTarget(rt)
            let reached = processes.signal(target, signal)
            let strays = target.strays.isEmpty ? "" : " and \(target.strays.count) process(es) that left it (\(target.strays.map { String($0.pid) }.joined(separator: ", ")))"
            if reached > 0 { rt.lifecycle("sent \(signal.name) to process group \(target.group ?? target.main?.pid ?? 0)\(strays)", at: wall) }

        case .endLeftovers(let killAt):
            var target = stopTarget(rt)
            target.main = nil
            if killAt.isFinite && killAt > clock.monotonic {
                guard !processes.remaining(target).isEmpty else { break }
                // The target is fixed now: by `killAt` the daemon may run again, in a new
                // group, which is not what this stop is ending.
                processes.signal(target, .terminate)
                leftoverKills.append(LeftoverKill(daemon: rt.name, target: target, at: killAt))
            } else {
                killLeftovers(target, of: rt)
            }

        case .askPolicy(let info, let ticket):
            scripts.ask(PolicyQuestion(daemon: rt.name, ticket: ticket,
                                       context: RestartContext(daemon: rt.spec, exit: info, history: rt.history, now: wall)))

        case .decideByFallback(let info, let ticket, let why):
            var decision = scripts.fallbackDecision(RestartContext(daemon: rt.spec, exit: info, history: rt.history, now: wall))
            (decision.policy, decision.version, decision.problem) = (rt.spec.policy, .fallback, why)
            rt.pendingLog.append(rt.logger.healthEventRecord(event: "policy_fallback", message: "\(rt.spec.policy): \(why); the built-in policy decided",
                                                             severity: .warning))
            decided(rt.name, ticket: ticket, decision)

        case .recordExit(let info, let explained):
            rt.facts.lastExit = info
            processes.unwatch(rt.name)
            if !rt.state.declared { processes.release(rt.name) }
            let lasted = info.uptime.map { " after \(Clock.humanDuration($0))" } ?? ""
            rt.lifecycle("pid \(info.pid.map(String.init) ?? "?") \(info.reason)\(lasted)", level: info.cause == .exited && info.code == 0 ? .info : .warning, at: wall)
            say("\(rt.name): \(info.reason)" + (explained.map { ": \($0)" } ?? ""))
            // Its tree outlived it: unsupervised processes, said where problems are looked for.
            if let left = info.leftovers, !left.isEmpty {
                let pids = left.map { String($0.pid) }.joined(separator: ", ")
                rt.pendingLog.append(rt.logger.healthEventRecord(
                    event: explained == nil ? "left_running" : "daemonized",
                    message: "pid \(info.pid.map(String.init) ?? "?") \(info.reason) and left pid \(pids) running" + (explained.map { ": \($0)" } ?? ""),
                    severity: .warning, fields: ["pids": .array(left.map { .int(Int64($0.pid)) })]))
            }

        case .recordHealth(let result):
            rt.facts.lastHealth = result
            switch result.state {
            case .healthy: break
            case .unknown:
                rt.pendingLog.append(rt.logger.healthEventRecord(event: "check_error", message: result.reason, severity: .warning))
                say("\(rt.name): health check error: \(result.reason)")
            case .unhealthy:
                rt.pendingLog.append(rt.logger.healthEventRecord(event: "check_failed", message: result.reason, severity: .error))
                say("\(rt.name): health check failed: \(result.reason)")
            }

        case .saveNow:
            do { try rt.save(home, rt.persisted(wallNow: wall, monotonicNow: clock.monotonic)) } catch {
                // Acting anyway (a stop the disk cannot record is still a stop); the write
                // stays owed, and the answer to the request says it could not be recorded.
                if rt.writeProblem == nil { reportWriteFailure("state of \(rt.name) (acting anyway)", error) }
                rt.writeProblem = "\(error)"
            }

        case .note(let text):
            rt.lifecycle(text, at: wall)

        }
    }

    /// Starts the daemon's process; the outcome is posted. A daemon whose `after` names one
    /// that is not ready is not started: it is `blocked`, and started once they are.
    private func spawn(_ rt: DaemonRuntime, _ kind: Supervision.SpawnKind, reason: String) {
        let unmet = unreadyDependencies(of: rt)
        guard unmet.isEmpty else { return post(rt.name, .blocked(on: unmet)) }
        var env = baseEnvironment
        env["TEND_DAEMON"] = rt.name
        do {
            // The env file is read at each start, so an edit applies at the next one;
            // `env` in daemons.lua wins over it for a key in both.
            if let file = rt.spec.envFile {
                for (k, v) in try EnvFile.load(file).variables { env[k] = v }
            }
            for (k, v) in rt.spec.environment { env[k] = v }
            let pid = try processes.spawn(rt.spec, argv: rt.spec.argv(tendExecutable: tendExecutable), environment: env)
            post(rt.name, .spawned(pid))
        } catch {
            post(rt.name, .spawnFailed(reason: "\(error)"))
        }
    }

    /// What a stop must reach: the main process, its group, and its descendants that left it.
    func stopTarget(_ rt: DaemonRuntime) -> StopTarget {
        StopTarget(main: rt.state.phase.process, group: rt.facts.processGroup,
                   strays: processes.strays(of: rt.name, outside: rt.facts.processGroup))
    }

    func uptime(_ rt: DaemonRuntime, at wall: Double) -> Double? {
        rt.facts.startedAt.map { wall - $0 }
    }

    /// SIGKILL to what is left of a stop's target, said in the daemon's log.
    func killLeftovers(_ target: StopTarget, of rt: DaemonRuntime) {
        let left = processes.remaining(target)
        guard !left.isEmpty else { return }
        processes.signal(target, .kill)
        rt.lifecycle("killed what was left of it (SIGKILL): pid \(left.map { String($0.pid) }.joined(separator: ", "))", at: clock.wall)
    }

    /// Leftovers whose `stop_timeout` has run out get their SIGKILL.
    func fireLeftoverKills(now: Double) {
        let due = leftoverKills.filter { $0.at <= now }
        leftoverKills.removeAll { $0.at <= now }
        for kill in due {
            if let rt = daemons[kill.daemon] { killLeftovers(kill.target, of: rt) } else { processes.signal(kill.target, .kill) }
        }
    }
}

/// A stop's SIGKILL still owed to what its daemon left running (see `endLeftovers`).
struct LeftoverKill {
    var daemon: String
    var target: StopTarget
    var at: Double
}
