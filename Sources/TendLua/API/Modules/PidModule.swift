import TendCore
import TendSystem

/// `tend.pid`: the PID files of the home (`.pids/NAME.pid`) and their verification
/// against the identity records, through the same `PidTracker` as `tend pid`.
enum PidModule {
    static let functions: [HostFunctionSpec] = [
        HostFunctionSpec("tend.pid", "read", params: ["name: string"], returns: ["integer?", "string?"],
                         returnDoc: "the PID, or nil and why (no PID file, not a PID)",
                         doc: "The PID in `.pids/NAME.pid` (not verified: see `verify`).") { ctx in
            { call in
                let name = try daemonName(call, 1)
                switch PidFile.read(ctx.home, name) {
                case .pid(let pid): call.stack.push(pid); return 1
                case .missing: return call.failure("no PID file for \(name)")
                case .corrupt(let text): return call.failure("PID file of \(name) holds no PID ('\(text)')")
                }
            }
        },
        HostFunctionSpec("tend.pid", "write", params: ["name: string", "pid: integer"], returns: ["boolean?", "string?"],
                         returnDoc: "true, or nil and an error message",
                         doc: "Records the live process `pid` as the daemon's, as `tend pid write` does: `.pids/NAME.pid` (one line, the PID) and its identity (start time, group, command line). Refuses a PID that is not running.") { ctx in
            { call in
                let name = try daemonName(call, 1)
                let pid = try call.pid(2)
                do {
                    try ctx.home.prepare()
                    try PidTracker(home: ctx.home).record(name, pid: pid)
                } catch { return call.failure(String(describing: error)) }
                call.stack.push(true)
                return 1
            }
        },
        HostFunctionSpec("tend.pid", "remove", params: ["name: string"], returns: ["boolean?", "string?"],
                         returnDoc: "true (also when there was none), or nil and an error message",
                         doc: "Removes `.pids/NAME.pid`.") { ctx in
            { call in
                let name = try daemonName(call, 1)
                do { try PidFile.remove(ctx.home, name) } catch { return call.failure(String(describing: error)) }
                call.stack.push(true)
                return 1
            }
        },
        HostFunctionSpec("tend.pid", "verify", params: ["name: string"], returns: ["tend.PidVerdict"],
                         doc: "Whether the PID file names the running daemon (PID + start time checked): RUNNING, STALE or NO_PID_FILE.") { ctx in
            { call in
                let v = tracker(ctx).verify(try daemonName(call, 1))
                let s = call.stack
                s.newTable(fields: 4)
                s.setField("daemon", v.daemon)
                s.setField("verdict", v.verdict.rawValue)
                s.setField("pid", v.pid)
                s.setField("detail", v.detail)
                if let p = v.process { ProcessModule.pushInfo(p, s); s.rawSet(-2, "process") }
                return 1
            }
        },
        HostFunctionSpec("tend.pid", "cleanup", returns: ["tend.PidCleanup"],
                         doc: "Removes stale PID files only (never the running daemon's) and says which.") { ctx in
            { call in
                let c = tracker(ctx).cleanup()
                let s = call.stack
                s.newTable(fields: 2)
                s.newTable(array: c.removed.count)
                for (i, r) in c.removed.enumerated() {
                    s.newTable(fields: 3)
                    s.setField("daemon", r.daemon)
                    s.setField("pid", r.pid)
                    s.setField("detail", r.detail)
                    s.rawSet(-2, i + 1)
                }
                s.rawSet(-2, "removed")
                s.setField("kept", JSONValue.array(c.kept.map { .string($0) }))
                return 1
            }
        },
        HostFunctionSpec("tend.pid", "health", params: ["names?: string[]"], returns: ["tend.PidHealth"],
                         doc: "How many of `names` (default: every daemon with a PID file) are running, per their PID files.") { ctx in
            { call in
                let tracker = tracker(ctx)
                let names = call.isNil(1) ? tracker.knownDaemons() : try call.stringArray(1)
                for (i, n) in names.enumerated() where DaemonName.validate(n) != nil {
                    throw LuaArgumentError(position: 1, function: call.function, problem: "item \(i + 1): \(DaemonName.validate(n)!)")
                }
                let h = tracker.health(names)
                let s = call.stack
                s.newTable(fields: 5)
                s.setField("total", h.total)
                s.setField("running", h.running)
                s.setField("percent", h.percent)
                s.setField("stale", JSONValue.array(h.stale.map { .string($0) }))
                s.setField("missing", JSONValue.array(h.missing.map { .string($0) }))
                return 1
            }
        },
    ]

    /// A tracker that knows the declared commands (a PID with no identity record is the
    /// daemon's only if its command line is declared; with daemons.lua unreadable, never).
    private static func tracker(_ ctx: TendContext) -> PidTracker {
        PidTracker(home: ctx.home, declared: (try? DaemonsModule.specs(ctx)) ?? [])
    }

    static let types: [HostTypeSpec] = [
        HostTypeSpec(name: "tend.PidVerdict", doc: "The verdict of `tend.pid.verify`.", fields: [
            "daemon: string", "verdict: \"RUNNING\"|\"STALE\"|\"NO_PID_FILE\"", "pid?: integer",
            "detail: string -- why, in words", "process?: tend.ProcessInfo -- when running",
        ]),
        HostTypeSpec(name: "tend.PidCleanup", doc: "What `tend.pid.cleanup` did.", fields: [
            "removed: {daemon: string, pid?: integer, detail: string}[]", "kept: string[]",
        ]),
        HostTypeSpec(name: "tend.PidHealth", doc: "Summary of `tend.pid.health`.", fields: [
            "total: integer", "running: integer", "percent: integer", "stale: string[]", "missing: string[]",
        ]),
    ]

    /// A daemon name: a wrong one (`../x`) is a programming error, so it raises.
    static func daemonName(_ call: LuaCall, _ i: Int32) throws -> String {
        let name = try call.string(i)
        if let problem = DaemonName.validate(name) {
            throw LuaArgumentError(position: i, function: call.function, problem: problem)
        }
        return name
    }
}
