import TendSystem
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension Monitor {
    /// Feeds one event through the state machine and performs the resulting actions.
    func handle(_ rt: DaemonRuntime, _ event: Supervision.Event) {
        let now = Clock.now()
        let (next, actions) = Supervision.transition(rt.phase, event, stopTimeout: rt.spec.stopTimeout, now: now)
        let previousPID = rt.pid
        if next != rt.phase { rt.dirty = true }
        rt.phase = next
        for action in actions { perform(action, on: rt, previousPID: previousPID, now: now) }
    }

    private func perform(_ action: Supervision.Action, on rt: DaemonRuntime, previousPID: Int32?, now: Double) {
        switch action {
        case .spawn(let kind, let reason):
            spawn(rt, kind, reason: reason, oldPID: previousPID ?? rt.record.lastExit?.pid)
        case .signalGroup(let sig):
            signalGroup(rt, sig)
        case .killLeftovers:
            // Only while no process holds the leader's PID: then the group ID is still ours.
            if let group = rt.record.processGroup, ProcessTable.identity(of: group) == nil, Signals.groupExists(group) {
                Signals.sendToOrphanedGroup(SIGKILL, group: group)
                lifecycle(rt, "killed what was left of process group \(group) (SIGKILL)")
            }
            forgetProcess(rt)
        case .recordExit(let info):
            rt.record.lastExit = info
            let uptime = info.uptime.map { " after \(Clock.humanDuration($0))" } ?? ""
            lifecycle(rt, "pid \(info.pid.map(String.init) ?? "?") \(info.reason)\(uptime)", level: info.cause == .exited && info.code == 0 ? .info : .warning)
            say("\(rt.name): \(info.reason)")
            forgetProcess(rt)
        case .askPolicy(let info):
            askPolicy(rt, info, now: now)
        case .setWanted(let wanted):
            guard rt.record.wanted != wanted else { break }
            rt.record.wanted = wanted
            rt.dirty = true
            // "down" is written at once: a stop must be on disk before the signal goes out,
            // so no monitor (this one restarted, or a --once) can "heal" it meanwhile.
            // "up" waits for the flush: the spawn is what matters first.
            if wanted == .down {
                do { try rt.saveRecord(home) } catch { reportWriteFailure("wanted state of \(rt.name) (stopping it anyway)", error) }
            }
        case .note(let text):
            lifecycle(rt, text)
        }
    }

    private func askPolicy(_ rt: DaemonRuntime, _ info: ExitInfo, now: Double) {
        guard rt.record.wanted == .up else {
            rt.phase = .stopped
            return
        }
        guard order.contains(rt.name) else {
            lifecycle(rt, "not restarted: no longer in the configuration")
            rt.phase = .stopped
            return
        }
        let decision = policy.decide(RestartContext(daemon: rt.spec, exit: info, history: rt.history, now: now))
        say("\(rt.name): policy \(decision.source): \(decision.summary) (\(decision.reason))")
        let logged = rt.pendingLog.count
        handle(rt, .decided(decision))
        // Logged ahead of what the restart logged, with the PID it started (`tend why`).
        let restarted = decision.action == .restartNow ? rt.pid : nil
        rt.pendingLog.insert(PolicyHit(ts: now, daemon: rt.name, exit: info, decision: decision, newPID: restarted).record, at: logged)
    }

    /// Starts the daemon's process with its output on its FIFO.
    func spawn(_ rt: DaemonRuntime, _ kind: Supervision.SpawnKind, reason: String, oldPID: Int32?) {
        let automatic = kind == .automatic
        let argv = rt.spec.argv(tendExecutable: tendExecutable)
        let now = Clock.now()
        do {
            try openOutput(rt)
            let writeEnd = try Fifo.openReadWrite(home.fifo(rt.name), nonBlocking: false)
            defer { closeFD(writeEnd) }
            var env = baseEnvironment
            env["TEND_DAEMON"] = rt.name
            for (k, v) in rt.spec.environment { env[k] = v }
            let pid = try Spawner.spawn(argv, environment: env, workingDirectory: rt.spec.workingDirectory, output: writeEnd)
            let identity = ProcessTable.identity(of: pid) ?? ProcessIdentity(pid: pid, startTime: 0)
            handle(rt, .spawned(pid: pid))
            rt.record.process = identity
            rt.record.processGroup = pid
            rt.record.command = argv
            rt.record.startedAt = now
            rt.record.lastHealth = nil
            rt.dirty = true
            if rt.spec.health != nil {
                // First check one interval after the start: give it time to come up.
                let first = Clock.monotonic() + (health.interval(for: rt.spec) ?? options.interval)
                rt.nextHealthCheck = first
                nextHealthRound = min(nextHealthRound, first)
            }
            if kind != .manualStart {
                if automatic { rt.record.restartCount += 1 }
                rt.history.append(RestartEvent(time: now, reason: reason, oldPID: oldPID, newPID: pid, success: true, manual: !automatic))
                rt.historyDirty = true
            }
            lifecycle(rt, "started pid \(pid) (\(automatic ? "restart: " + reason : reason))", fields: ["pid": .int(Int64(pid))])
            say("\(rt.name): started pid \(pid)")
        } catch {
            if automatic {
                rt.history.append(RestartEvent(time: now, reason: reason, oldPID: oldPID, newPID: nil, success: false, manual: false, error: "\(error)"))
                rt.historyDirty = true
            }
            try? rt.logger.error("cannot start \(rt.name): \(error)", fields: ["command": .array(argv.map { .string($0) })])
            say("\(rt.name): cannot start: \(error)")
            handle(rt, .spawnFailed(reason: "\(error)"))
        }
    }

    /// Opens the monitor's read end of the daemon's FIFO once; it stays open across
    /// restarts of the daemon.
    func openOutput(_ rt: DaemonRuntime) throws {
        guard rt.outputFD < 0 else { return }
        try Fifo.ensure(home.fifo(rt.name))
        rt.outputFD = try Fifo.openReadWrite(home.fifo(rt.name), nonBlocking: true)
    }

    func signalGroup(_ rt: DaemonRuntime, _ sig: Int32) {
        guard let identity = rt.record.process, identity.pid == rt.pid else { return }
        if Signals.sendToGroup(sig, leader: identity) {
            lifecycle(rt, "sent \(Signals.name(sig)) to process group \(identity.pid)")
        } else if let group = rt.record.processGroup, ProcessTable.check(identity) == .gone {
            // The leader is gone (a zombie not reaped yet, or dead): no process holds its PID,
            // so the group ID cannot have been reused; what is left of it is ours.
            Signals.sendToOrphanedGroup(sig, group: group)
        }
    }

    /// The process is gone: drop its identity (the PID file goes at the next flush) and
    /// its exit watch.
    func forgetProcess(_ rt: DaemonRuntime) {
        if rt.exitWatchFD >= 0 { closeFD(rt.exitWatchFD); rt.exitWatchFD = -1 }
        if rt.record.process != nil {
            rt.record.process = nil
            rt.record.startedAt = nil
            rt.dirty = true
        }
    }

    func lifecycle(_ rt: DaemonRuntime, _ message: String, level: LogLevel = .info, fields: [String: JSONValue] = [:]) {
        var f = fields
        f["event"] = .string("lifecycle")
        rt.pendingLog.append(LogRecord(ts: Clock.now(), level: level, daemon: rt.name, msg: message, fields: f))
    }
}
