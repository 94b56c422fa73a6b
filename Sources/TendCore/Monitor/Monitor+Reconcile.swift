import TendSystem

extension Monitor {
    /// Brings the monitor's view in line with the world at start-up: loads the
    /// configuration, adopts every daemon whose recorded process is alive with the
    /// recorded start time, and hands every dead daemon that is wanted up to the policy.
    func reconcile(adopting: Bool) throws {
        try applySpecs(try loadSpecs())
        let now = Clock.now()
        for name in order {
            guard let rt = daemons[name] else { continue }
            if let identity = rt.record.process, ProcessTable.check(identity) == .alive {
                adopt(rt, identity, watch: adopting)
                continue
            }
            guard rt.record.wanted == .up else {
                if rt.record.process != nil { forgetProcess(rt) }
                continue
            }
            // Wanted up but not running: find out how it was lost.
            if let due = rt.record.nextAttemptAt, let reason = rt.record.waitReason {
                rt.phase = .waiting(until: due, reason: reason, exit: rt.record.lastExit?.reason ?? "unknown")
                continue
            }
            if let reason = rt.record.heldDownReason {
                rt.phase = .held(reason: reason)
                continue
            }
            let cause: DeathCause
            switch PidTracker(home: home).verify(name).verdict {
            case .noPIDFile: cause = rt.record.process == nil && rt.record.lastExit != nil ? .unknown : .noPIDFile
            case .stale: cause = .stalePID
            case .running: cause = .unknown
            }
            let info = ExitInfo(cause: cause, at: now, uptime: rt.record.startedAt.map { now - $0 }, pid: rt.record.process?.pid)
            rt.phase = .running(pid: info.pid ?? 0)
            handle(rt, .exited(info))
        }
    }

    /// Takes a live daemon under watch: its exit descriptor (pidfd / kqueue) and its
    /// output FIFO, so lines it wrote while no monitor ran reach its log.
    func adopt(_ rt: DaemonRuntime, _ identity: ProcessIdentity, watch: Bool) {
        // A stop that was under way goes on; if the daemon is wanted up it was a restart
        // (manual or after a failed health check), so it starts again after the death.
        rt.phase = rt.record.stopping == true
            ? .stopping(pid: identity.pid, killAt: Clock.now() + rt.spec.stopTimeout,
                        then: rt.record.wanted == .up ? .manualRestart : .stayDown)
            : .running(pid: identity.pid)
        try? openOutput(rt)
        guard watch else { return }
        do {
            rt.exitWatchFD = try ProcessTable.openExitWatch(identity)
            lifecycle(rt, "adopted pid \(identity.pid) (identity verified)")
        } catch {
            // It died between the check and the watch: treat as an exit.
            let now = Clock.now()
            handle(rt, .exited(ExitInfo(cause: .exitedUnknown, at: now, uptime: rt.record.startedAt.map { now - $0 }, pid: identity.pid)))
        }
    }

    /// Installs a (re)loaded configuration. Daemons that left the configuration keep
    /// running if they run; they are just no longer restarted.
    func applySpecs(_ specs: [DaemonSpec]) throws {
        var newOrder: [String] = []
        for spec in specs {
            newOrder.append(spec.name)
            if let rt = daemons[spec.name] {
                rt.spec = spec
            } else {
                daemons[spec.name] = DaemonRuntime(spec: spec, home: home, rotation: options.rotation)
            }
        }
        order = newOrder
        // A removed daemon that waits for a restart (or is held) will not get one.
        for rt in daemons.values where !order.contains(rt.name) {
            switch rt.phase {
            case .waiting, .held, .deciding:
                rt.phase = .stopped
                rt.dirty = true
            case .stopped, .running, .stopping:
                break
            }
        }
    }
}
