import TendSystem
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A client waiting for its daemons to settle (a start that waits for the spawn, a stop
/// that waits for the death, a restart that waits for the new process).
struct PendingReply {
    let fd: Int32
    let request: ControlRequest
    let names: [String]
    /// The daemons that were already as asked when the request came.
    let already: Set<String>
    /// Monotonic time after which the client is answered anyway.
    let deadline: Double
    /// `tend shutdown`: the monitor ends once this client is answered.
    var endsMonitor = false
    /// Stops still to send, a stage at a time (dependents before what they need).
    var laterStages: [[String]] = []
}

/// The control channel: requests from the CLI become events of the daemons they name.
/// The monitor is the one authority on names: it checks them against its configuration
/// (reloading it once when a name is new) and answers with structured results.
extension Monitor {
    func acceptClients(_ listener: Int32) {
        while let fd = UnixSocket.accept(listener) {
            // Clients write their request right after connecting; one that does not
            // may hold the loop for this long at most.
            let line = try? UnixSocket.readLine(fd, timeout: 0.25)
            // The home's modes are the first guard; the peer's user is the second: whoever
            // opened them up, only this user drives this monitor. (The request is read
            // first, so the refused client gets this answer, not a broken pipe.)
            let peer = UnixSocket.peerUID(fd)
            guard peer == getuid() else {
                reply(fd, ControlResponse(ok: false, monitorPID: getpidValue(),
                                          error: "permission denied: this monitor belongs to uid \(getuid()), not to uid \(peer.map(String.init) ?? "unknown")"))
                continue
            }
            guard let line = line ?? nil, let request = try? ControlRequest(json: JSONValue.parse(line)) else {
                reply(fd, ControlResponse(ok: false, monitorPID: getpidValue(), error: "malformed request"))
                continue
            }
            handle(request, from: fd)
        }
    }

    func handle(_ request: ControlRequest, from fd: Int32, retried: Bool = false) {
        guard core.configured else {
            parkedRequests.append((fd, request, retried))
            return
        }
        switch request.command {
        case .ping:
            return reply(fd, ControlResponse(ok: true, monitorPID: getpidValue()))
        case .reload:
            reloadClients.append(fd)
            core.reload(reason: "tend reload")
            return
        case .status:
            let unknown = request.names.filter { core.daemons[$0] == nil }
            if !unknown.isEmpty {
                return reply(fd, ControlResponse(ok: false, monitorPID: getpidValue(),
                                                 error: "unknown daemon: \(unknown.joined(separator: ", ")) (known: \(core.declaredNames.joined(separator: ", ")))"))
            }
            return reply(fd, ControlResponse(ok: true, monitorPID: getpidValue(), report: core.statusReport(request.names).json))
        case .shutdown:
            return beginShutdown(request, from: fd)
        case .start, .stop, .restart:
            break
        }
        let known = request.command == .stop ? Set(core.daemons.keys) : Set(core.declaredNames)
        let names = request.all ? allNames(for: request.command) : request.names
        let unknown = names.filter { !known.contains($0) }
        if !unknown.isEmpty {
            guard retried else {
                // daemons.lua may have gained it since it was loaded.
                parkedRequests.append((fd, request, true))
                core.reload(reason: "request names \(unknown.joined(separator: ", "))")
                return
            }
            return reply(fd, ControlResponse(ok: false, monitorPID: getpidValue(),
                                             error: "unknown daemon: \(unknown.joined(separator: ", ")) (known: \(core.declaredNames.joined(separator: ", ")))"))
        }
        if names.isEmpty, !request.all {
            return reply(fd, ControlResponse(ok: false, monitorPID: getpidValue(),
                                             error: "name at least one daemon, or use --all (known: \(core.declaredNames.joined(separator: ", ")))"))
        }
        dispatch(request, names: names, to: fd)
    }

    /// Posts a start, stop or restart for `names` and keeps the client until they settle.
    private func dispatch(_ request: ControlRequest, names: [String], to fd: Int32, endsMonitor: Bool = false) {
        var already = Set<String>()
        for name in names {
            guard let rt = core.daemons[name] else { continue }
            switch (request.command, rt.state.phase) {
            case (.start, .running), (.stop, .down): already.insert(name)
            default: break
            }
        }
        // A stop of several reaches dependents first: each stage once the one before is down.
        var stages = request.command == .stop ? core.stopStages(names) : [names]
        let first = stages.isEmpty ? [] : stages.removeFirst()
        post(request.command, to: first)
        let waits = names.compactMap { core.daemons[$0] }.map { rt in
            request.command == .start && !rt.spec.after.isEmpty ? rt.spec.readyTimeout : rt.spec.stopTimeout
        }
        let longest = waits.max() ?? 10
        pendingReplies.append(PendingReply(fd: fd, request: request, names: names, already: already,
                                           deadline: Clock.monotonic() + longest * Double(stages.count + 1) + 5,
                                           endsMonitor: endsMonitor, laterStages: stages))
    }

    private func post(_ command: ControlRequest.Command, to names: [String]) {
        let event: Supervision.Event = command == .start ? .start : command == .restart ? .restart : .stop
        for name in names { core.post(name, event) }
    }

    /// `--all`: the declared daemons, and for a stop also those no longer declared that
    /// still run.
    private func allNames(for command: ControlRequest.Command) -> [String] {
        command == .stop ? core.declaredNames + core.undeclaredRunning : core.declaredNames
    }

    /// A configuration load finished: answer `tend reload`, and handle requests that waited.
    /// (A configuration taken whose daemons name broken or missing scripts is a reload
    /// that did not fully work: `tend reload` says so and exits 1.)
    func configurationApplied(_ problem: ConfigurationProblem?, scripts: [ScriptState]) {
        if problem == nil {
            warnIfDescriptorsShort()
            capture.releaseAll(except: Set(core.daemons.keys))
        }
        let error = problem.map { "the configuration in force is kept: \($0)" }
            ?? (scripts.isEmpty ? nil : "reloaded, but scripts the daemons name have problems:\n" + scripts.map(\.description).joined(separator: "\n"))
        for fd in reloadClients {
            reply(fd, ControlResponse(ok: error == nil, monitorPID: getpidValue(), error: error))
        }
        reloadClients.removeAll()
        let parked = parkedRequests
        parkedRequests.removeAll()
        for (fd, request, retried) in parked { handle(request, from: fd, retried: retried) }
    }

    /// Says once (in health.log and on stderr) when the declared daemons need more
    /// descriptors than the open-file limit allows.
    private func warnIfDescriptorsShort() {
        let warning = DescriptorBudget.shortfall(daemons: core.declaredNames.count, limit: openFileLimit)
        defer { descriptorWarning = warning }
        guard let warning, warning != descriptorWarning else { return }
        try? core.monitorLog.healthEvent(event: "open_files", message: warning, severity: .warning)
        try? FileSystem.writeAll(2, Array("tend monitor: \(warning)\n".utf8))
    }

    /// Answers the clients whose daemons have settled (or whose wait ran out); a staged
    /// stop sends its next stage once the one before has settled.
    func answerPendingReplies() {
        let now = Clock.monotonic()
        var advanced = false
        pendingReplies.removeAll { pending in
            let runtimes = pending.names.compactMap { core.daemons[$0] }
            let settled = runtimes.allSatisfy { Self.isSettled($0.state.phase, after: pending.request.command) }
            if settled, !pending.laterStages.isEmpty, now < pending.deadline {
                nextStage(of: pending)
                advanced = true
                return true   // put back with its stages advanced
            }
            guard settled || now >= pending.deadline else { return false }
            let items = runtimes.map { rt in
                var item = outcome(rt, of: pending.request.command, already: pending.already.contains(rt.name))
                // Done, but not on disk: say so (a restarted monitor would not know of it).
                if let problem = rt.writeProblem {
                    item.ok = false
                    item.message += "; but it could not be recorded: \(problem)"
                }
                return item
            }
            reply(pending.fd, ControlResponse(ok: items.allSatisfy(\.ok), monitorPID: getpidValue(), items: items))
            if pending.endsMonitor {
                stopRequested = true
                if !pending.request.keepDaemons { logWriter.stop() }   // nothing left to write for
            }
            return true
        }
        pendingReplies += stagedAgain
        stagedAgain.removeAll()
        if advanced {
            core.drain()
            answerPendingReplies()
        }
    }

    /// Sends a staged stop's next stage and keeps the client waiting.
    private func nextStage(of pending: PendingReply) {
        var next = pending
        post(next.request.command, to: next.laterStages.removeFirst())
        stagedAgain.append(next)
    }

    private static func isSettled(_ phase: Supervision.Phase, after command: ControlRequest.Command) -> Bool {
        switch phase {
        case .starting, .pending: return false
        case .stopping, .deciding: return command == .start
        case .down, .running, .waiting, .held: return true
        }
    }

    private func outcome(_ rt: DaemonRuntime, of command: ControlRequest.Command, already: Bool) -> ControlResponse.Item {
        let state = DaemonStatus.State(rt.state).rawValue
        switch (command, rt.state.phase) {
        case (.start, .running(let p, _)):
            return .init(daemon: rt.name, ok: true, message: already ? "already running (pid \(p.pid))" : "started (pid \(p.pid))",
                         state: state, pid: p.pid, already: already)
        case (.start, .stopping(let p, _, _)):
            return .init(daemon: rt.name, ok: true, message: "stopping pid \(p.pid); will start again", state: state, pid: p.pid, already: false)
        case (.stop, .down):
            let how = already ? "not running" : "stopped" + (rt.facts.lastExit.map { " (\($0.reason))" } ?? "")
            return .init(daemon: rt.name, ok: true, message: how, state: state, already: already)
        case (.restart, .running(let p, _)):
            return .init(daemon: rt.name, ok: true, message: "restarted (pid \(p.pid))", state: state, pid: p.pid, already: false)
        case (_, .held(let reason)):
            return .init(daemon: rt.name, ok: false, message: reason, state: state)
        default:
            return .init(daemon: rt.name, ok: false, message: "still \(state.lowercased()) after waiting", state: state,
                         pid: rt.state.phase.process?.pid)
        }
    }

    func reply(_ fd: Int32, _ response: ControlResponse) {
        try? FileSystem.writeAll(fd, ControlLine.encode(response.json))
        closeFD(fd)
    }

    /// `tend shutdown`: every daemon is stopped (unless `keep_daemons`), then the monitor
    /// answers and ends.
    private func beginShutdown(_ request: ControlRequest, from fd: Int32) {
        var stop = request
        stop.command = .stop
        stop.all = true
        stop.names = request.keepDaemons ? [] : allNames(for: .stop)
        dispatch(stop, names: stop.names, to: fd, endsMonitor: true)
    }
}
