import TendSystem

/// A client waiting for daemons to settle (a stop that waits for the death, a restart
/// that waits for the new process).
struct PendingReply {
    let fd: Int32
    let request: ControlRequest
    let deadline: Double
}

extension Monitor {
    func acceptClients(_ listener: Int32) {
        while let fd = UnixSocket.accept(listener) {
            // Clients write their request right after connecting; one that does not
            // may hold the loop for this long at most.
            guard let line = try? UnixSocket.readLine(fd, timeout: 0.25),
                  let request = try? RecordCoding.decode(ControlRequest.self, from: line) else {
                reply(fd, ControlResponse(ok: false, monitorPID: getpidValue(), error: "malformed request"))
                continue
            }
            handle(request, from: fd)
        }
    }

    func handle(_ request: ControlRequest, from fd: Int32) {
        var unknown = request.names.filter { !order.contains($0) }
        if !unknown.isEmpty {
            // daemons.lua may have gained it since we loaded it.
            reload(reason: "request names \(unknown.joined(separator: ", "))")
            unknown = request.names.filter { !order.contains($0) }
        }
        if !unknown.isEmpty {
            reply(fd, ControlResponse(ok: false, monitorPID: getpidValue(),
                                      error: "unknown daemon: \(unknown.joined(separator: ", ")) (known: \(order.joined(separator: ", ")))"))
            return
        }
        switch request.command {
        case .ping:
            reply(fd, ControlResponse(ok: true, monitorPID: getpidValue()))
        case .reload:
            let problem = reload(reason: "tend reload")
            reply(fd, ControlResponse(ok: problem == nil, monitorPID: getpidValue(), error: problem))
        case .start:
            var items: [ControlResponse.Item] = []
            for name in request.names {
                let rt = daemons[name]!
                if let pid = rt.pid, case .running = rt.phase {
                    handle(rt, .start)
                    items.append(.init(daemon: name, ok: true, message: "already running (pid \(pid))"))
                    continue
                }
                handle(rt, .start)
                items.append(startOutcome(rt))
            }
            flush()
            reply(fd, ControlResponse(ok: items.allSatisfy(\.ok), monitorPID: getpidValue(), items: items))
        case .stop, .restart:
            for name in request.names {
                handle(daemons[name]!, request.command == .stop ? .stop : .restart)
            }
            flush()
            let longest = request.names.compactMap { daemons[$0]?.spec.stopTimeout }.max() ?? 10
            pendingReplies.append(PendingReply(fd: fd, request: request, deadline: Clock.now() + longest + 5))
            answerPendingReplies()
        }
    }

    private func startOutcome(_ rt: DaemonRuntime) -> ControlResponse.Item {
        switch rt.phase {
        case .running(let pid): return .init(daemon: rt.name, ok: true, message: "started (pid \(pid))")
        case .held(let reason): return .init(daemon: rt.name, ok: false, message: reason)
        case .stopping(let pid, _, _): return .init(daemon: rt.name, ok: true, message: "stopping pid \(pid); will start again")
        default: return .init(daemon: rt.name, ok: false, message: "not started (\(rt.phase))")
        }
    }

    /// Answers the clients whose daemons have settled (or whose wait ran out).
    func answerPendingReplies() {
        let now = Clock.now()
        pendingReplies.removeAll { pending in
            let runtimes = pending.request.names.compactMap { daemons[$0] }
            let settled = runtimes.allSatisfy {
                if case .stopping = $0.phase { return false }
                if case .deciding = $0.phase { return false }
                return true
            }
            guard settled || now >= pending.deadline else { return false }
            let items = runtimes.map { rt -> ControlResponse.Item in
                switch (pending.request.command, rt.phase) {
                case (.stop, .stopped):
                    return .init(daemon: rt.name, ok: true, message: "stopped" + (rt.record.lastExit.map { " (\($0.reason))" } ?? ""))
                case (.restart, .running(let pid)):
                    return .init(daemon: rt.name, ok: true, message: "restarted (pid \(pid))")
                case (_, .held(let reason)):
                    return .init(daemon: rt.name, ok: false, message: reason)
                default:
                    return .init(daemon: rt.name, ok: false, message: "still \(rt.phase) after waiting")
                }
            }
            reply(pending.fd, ControlResponse(ok: items.allSatisfy(\.ok), monitorPID: getpidValue(), items: items))
            return true
        }
    }

    func reply(_ fd: Int32, _ response: ControlResponse) {
        if let line = try? RecordCoding.encodeLine(response) {
            try? FileSystem.writeAll(fd, Array(line.utf8))
        }
        closeFD(fd)
    }
}
