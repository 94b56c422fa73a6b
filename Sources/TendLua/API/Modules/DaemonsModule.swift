import TendCore
import TendSystem

/// `tend.daemons`: the configured daemons as the CLI sees them — names from daemons.lua,
/// status and health from the records on disk (never waking the monitor), and start /
/// stop / restart through the monitor (starting a detached one first if none runs).
/// Used by the startup sequence; any plugin may use it.
enum DaemonsModule {
    static let functions: [HostFunctionSpec] = [
        fn("list", returns: ["string[]?", "string?"], returnDoc: "the names, or nil and why daemons.lua could not be read",
           doc: "The configured daemons' names, in daemons.lua order (the user's file, else the shipped default).") { ctx, call in
            try call.attempt { call.stack.push(JSONValue.array(try specs(ctx).map { .string($0.name) })) }
        },
        fn("status", params: ["name?: string"], returns: ["tend.StatusReport|tend.DaemonStatus|nil", "string?"],
           returnDoc: "the report (one daemon's status when `name` is given), or nil and an error message",
           doc: "Status from the state files and the process table, as `tend status --format json` gives it.") { ctx, call in
            let one = try call.optionalString(1)
            return try call.attempt {
                let report = try StatusReport.current(ctx.home, names: one.map { [$0] } ?? [], declared: { try specs(ctx) })
                if let one {
                    guard let status = report.daemons.first(where: { $0.daemon == one }) else { throw LuaHostError("unknown daemon '\(one)'") }
                    call.stack.push(status)
                } else {
                    call.stack.push(report)
                }
            }
        },
        fn("health", returns: ["tend.HealthSummary?", "string?"], returnDoc: "the summary, or nil and an error message",
           doc: "How many configured daemons are healthy (running, identity verified, last check passed), and why each is or is not.") { ctx, call in
            try call.attempt { call.stack.push(HealthSummary.compute(from: try StatusReport.current(ctx.home, declared: { try specs(ctx) }))) }
        },
        fn("monitor_running", returns: ["boolean", "integer?"], returnDoc: "whether a monitor runs for this home, and its PID",
           doc: "Whether the home's monitor runs (identity verified).") { ctx, call in
            let m = MonitorProcess.running(ctx.home)
            call.stack.push(m != nil)
            call.stack.push(optional: m?.pid)
            return 2
        },
        fn("ensure_monitor", returns: ["integer?", "boolean|string"],
           returnDoc: "the monitor's PID and whether this call started it, or nil and an error message",
           doc: "Starts a detached monitor for the home unless one runs; returns once it answers.") { ctx, call in
            do {
                let launched = try MonitorConnection.ensure(home: ctx.home, configDir: ctx.paths.configDir,
                                                            timeout: bounded(15, call))
                call.stack.push(optional: MonitorProcess.running(ctx.home)?.pid ?? launched)
                call.stack.push(launched != nil)
                return 2
            } catch {
                return call.failure(String(describing: error))
            }
        },
        control("start_all", .start, all: true, doc: "Starts every configured daemon (a detached monitor first, if none runs)."),
        control("start", .start, doc: "Starts the named daemons (a detached monitor first, if none runs)."),
        control("stop", .stop, doc: "Stops the named daemons (wanted state down: the monitor will not restart them)."),
        control("restart", .restart, doc: "Restarts the named daemons (not counted against the restart policy)."),
    ]

    static let types: [HostTypeSpec] = [
        HostTypeSpec(name: "tend.DaemonStatus", doc: "One daemon's status (`tend status`).", fields: [
            "daemon: string", "state: \"STARTING\"|\"PENDING\"|\"RUNNING\"|\"STOPPING\"|\"STOPPED\"|\"EXITED\"|\"WAITING\"|\"HELD\"|\"STALE\"",
            "pid?: integer", "uptime_seconds?: number", "restarts: integer", "last_exit?: string",
            "last_exit_at?: number", "wanted: \"up\"|\"down\"", "reason?: string -- why it is in this state",
            "next_attempt_at?: number", "health?: tend.HealthResult -- the last health check",
            "ready?: boolean -- running and ready (its check passed since it started); known to a running monitor",
        ]),
        HostTypeSpec(name: "tend.StatusReport", doc: "Every configured daemon's status and the monitor's.", fields: [
            "monitor: {running: boolean, pid?: integer}", "daemons: tend.DaemonStatus[]",
        ]),
        HostTypeSpec(name: "tend.HealthSummary", doc: "`tend health`: N of M healthy.", fields: [
            "healthy: integer", "total: integer", "percent: integer",
            "daemons: {daemon: string, healthy: boolean, state: string, reason: string, check?: \"healthy\"|\"unhealthy\"|\"unknown\"}[]",
        ]),
        HostTypeSpec(name: "tend.ControlResult", doc: "What the monitor answered to start / stop / restart.", fields: [
            "ok: boolean -- every daemon did as asked", "monitor_pid: integer",
            "monitor_started: boolean -- this call started the monitor",
            "items: {daemon: string, ok: boolean, message: string, state?: string, pid?: integer, already: boolean}[] -- already: nothing needed doing",
        ]),
    ]

    /// start / stop / restart: `(names)`, or no argument for `start_all`.
    private static func control(_ name: String, _ command: ControlRequest.Command, all: Bool = false,
                                doc: String) -> HostFunctionSpec {
        fn(name, params: all ? [] : ["names: string[]"], returns: ["tend.ControlResult?", "string?"],
           returnDoc: "the monitor's answer, or nil and why it could not be asked", doc: doc) { ctx, call in
            // The monitor checks the names against its configuration: no daemons.lua here.
            let request = ControlRequest(command, names: all ? [] : try call.stringArray(1), all: all)
            do {
                let (response, launched) = try MonitorConnection.send(request, home: ctx.home, configDir: ctx.paths.configDir,
                                                                      timeout: bounded(15, call))
                if let error = response.error { return call.failure(error) }
                let s = call.stack
                s.newTable(fields: 4)
                s.setField("ok", response.ok)
                s.setField("monitor_pid", response.monitorPID)
                s.setField("monitor_started", launched != nil)
                s.setField("items", JSONValue.array(response.items.map { item in
                    var o: [String: JSONValue] = ["daemon": .string(item.daemon), "ok": .bool(item.ok), "message": .string(item.message),
                                                  "already": .bool(item.already ?? false)]
                    if let state = item.state { o["state"] = .string(state) }
                    if let pid = item.pid { o["pid"] = .int(Int64(pid)) }
                    return .object(o)
                }))
                return 1
            } catch {
                return call.failure(String(describing: error))
            }
        }
    }

    /// The configured daemons: daemons.lua is read once per Lua state (in a state of its
    /// own), not on every call — startup's step 9 polls `health()`.
    static func specs(_ ctx: TendContext) throws -> [DaemonSpec] {
        if let cached = ctx.declaredSpecs { return cached }
        let specs = try DaemonsConfig.loadSpecs(paths: ctx.paths, home: ctx.home)
        ctx.declaredSpecs = specs
        return specs
    }

    /// A wait of at most `seconds`, cut to what is left of the caller's time budget.
    private static func bounded(_ seconds: Double, _ call: LuaCall) -> Double {
        Budget.remaining(call).map { max(0.1, min(seconds, $0)) } ?? seconds
    }

    private static func fn(_ name: String, params: [String] = [], returns: [String], returnDoc: String, doc: String,
                           _ body: @escaping @Sendable (TendContext, LuaCall) throws -> Int32) -> HostFunctionSpec {
        HostFunctionSpec("tend.daemons", name, params: params, returns: returns, returnDoc: returnDoc, doc: doc) { ctx in
            { call in try body(ctx, call) }
        }
    }
}
