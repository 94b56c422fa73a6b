import TendCore
import TendSystem

/// `tend.process`: reading processes from the kernel, signalling only verified ones, and
/// running short commands with a deadline.
enum ProcessModule {
    static let functions: [HostFunctionSpec] = [
        HostFunctionSpec("tend.process", "info", params: ["pid: integer"], returns: ["tend.ProcessInfo?", "string?"],
                         returnDoc: "a table, or nil and an error message",
                         doc: "What the kernel says about a process (from /proc): name, state, RSS, CPU %, start time, threads, command line.") { _ in
            { call in
                let pid = try call.pid(1)
                guard let snap = ProcessTable.snapshot(pid), !snap.isZombie else { return call.failure("no process with PID \(pid)") }
                pushInfo(snap, call.stack)
                return 1
            }
        },
        HostFunctionSpec("tend.process", "alive", params: ["pid: integer", "start_time?: integer"], returns: ["boolean"],
                         doc: "True if a (non-zombie) process has this PID — and, when `start_time` is given, it is the same process (not a reused PID).") { _ in
            { call in
                let pid = try call.pid(1)
                if let start = try call.optionalInteger(2) {
                    call.stack.push(ProcessTable.check(ProcessIdentity(pid: pid, startTime: UInt64(bitPattern: start))) == .alive)
                } else {
                    call.stack.push(ProcessTable.identity(of: pid) != nil)
                }
                return 1
            }
        },
        HostFunctionSpec("tend.process", "identity", params: ["pid: integer"], returns: ["tend.ProcessIdentity?", "string?"],
                         returnDoc: "`{pid, start_time}`, or nil and an error message",
                         doc: "The identity of a live process: its PID and kernel start time. Keep it to signal the same process later.") { _ in
            { call in
                let pid = try call.pid(1)
                guard let id = ProcessTable.identity(of: pid) else { return call.failure("no process with PID \(pid)") }
                call.stack.newTable(fields: 2)
                call.stack.setField("pid", Int(id.pid))
                call.stack.setField("start_time", Int64(bitPattern: id.startTime))
                return 1
            }
        },
        HostFunctionSpec("tend.process", "signal", params: ["pid: integer", "start_time: integer", "sig: string|integer"],
                         returns: ["boolean?", "string?"], returnDoc: "true, or nil and why nothing was sent",
                         doc: "Sends a signal (`\"TERM\"`, `\"SIGKILL\"`, `15`) only if the process still has this start time; never signals an unverified PID.") { _ in
            { call in
                let pid = try call.pid(1)
                let start = try call.integer(2)
                let given = try call.stack.string(at: 3) ?? String(call.integer(3))
                guard let sig = Signal(parsing: given) else {
                    throw LuaArgumentError(position: 3, function: call.function, problem: "unknown signal '\(given)'")
                }
                let identity = ProcessIdentity(pid: pid, startTime: UInt64(bitPattern: start))
                switch ProcessTable.check(identity) {
                case .gone: return call.failure("process \(pid) is gone; nothing sent")
                case .reused(let other):
                    return call.failure("PID \(pid) now belongs to another process (\(other.name)); nothing sent")
                case .alive:
                    guard Signals.send(sig, to: identity) else { return call.failure("cannot signal process \(pid)") }
                    call.stack.push(true)
                    return 1
                }
            }
        },
        HostFunctionSpec("tend.process", "run", params: ["argv: string[]", "opts?: tend.RunOptions"],
                         returns: ["tend.RunResult?", "string?"], returnDoc: "a result table, or nil and why it could not start",
                         doc: "Runs a command to completion (own process group, stdin /dev/null); kills its group after `opts.timeout` seconds (default 10).") { _ in
            { call in
                let argv = try call.stringArray(1)
                guard !argv.isEmpty else { throw LuaArgumentError(position: 1, function: call.function, problem: "the command is empty") }
                let opts = try call.optionalTable(2) ?? .object([:])
                var timeout = opts["timeout"]?.doubleValue ?? 10
                if let left = Budget.remaining(call) { timeout = min(timeout, left) }
                let env = try stringMap(opts["env"], call: call, position: 2, key: "env")
                let environment = env.map { Spawner.currentEnvironment().merging($0) { _, new in new } }
                do {
                    let r = try BoundedCommand.run(argv, timeout: timeout, workingDirectory: opts["cwd"]?.stringValue,
                                                  environment: environment)
                    let s = call.stack
                    s.newTable(fields: 6)
                    s.setField("code", r.code)
                    s.setField("signal", r.signal?.name)
                    s.setField("stdout", r.stdout)
                    s.setField("stderr", r.stderr)
                    s.setField("timed_out", r.timedOut)
                    s.setField("truncated", r.truncated)
                    return 1
                } catch {
                    return call.failure(String(describing: error))
                }
            }
        },
    ]

    static let types: [HostTypeSpec] = [
        HostTypeSpec(name: "tend.ProcessInfo", doc: "A process as /proc describes it.", fields: [
            "pid: integer", "ppid: integer", "pgid: integer", "name: string",
            "state: string -- one letter: R running, S sleeping, D disk wait, Z zombie, T stopped",
            "rss_bytes: integer", "cpu_percent: number -- average over its life, percent of one core",
            "start_time: integer -- kernel start time (clock ticks since boot): identity with pid",
            "started_at: number -- epoch seconds", "threads: integer", "cmdline: string[]",
        ]),
        HostTypeSpec(name: "tend.ProcessIdentity", doc: "Who a process is: PID plus start time.", fields: [
            "pid: integer", "start_time: integer",
        ]),
        HostTypeSpec(name: "tend.RunOptions", doc: "Options of `tend.process.run`.", fields: [
            "timeout?: number -- seconds (default 10; never past the caller's time budget)",
            "cwd?: string", "env?: table<string, string> -- added to the inherited environment",
        ]),
        HostTypeSpec(name: "tend.RunResult", doc: "How a command ended.", fields: [
            "code?: integer -- exit code, when it exited", "signal?: tend.Signal -- e.g. \"SIGKILL\", when killed",
            "stdout: string", "stderr: string",
            "timed_out: boolean", "truncated: boolean -- output beyond 1 MiB per stream was dropped",
        ]),
    ]

    static func pushInfo(_ snap: ProcessSnapshot, _ s: LuaStack) {
        s.newTable(fields: 12)
        s.setField("pid", Int(snap.pid))
        s.setField("ppid", Int(snap.parentPID))
        s.setField("pgid", Int(snap.processGroup))
        s.setField("name", snap.name)
        s.setField("state", snap.state)
        s.setField("rss_bytes", snap.residentBytes)
        s.setField("cpu_percent", snap.cpuPercent())
        s.setField("start_time", Int64(bitPattern: snap.startTime))
        s.setField("started_at", snap.startedAt)
        s.setField("threads", snap.threads)
        s.setField("cmdline", JSONValue.array(snap.commandLine.map { .string($0) }))
    }

    /// `{KEY = "value"}` from an options table; anything else is a programming error.
    static func stringMap(_ value: JSONValue?, call: LuaCall, position: Int32, key: String) throws -> [String: String]? {
        guard let value, value != .null else { return nil }
        guard let object = value.objectValue else {
            throw LuaArgumentError(position: position, function: call.function, problem: "'\(key)' must be a table of strings")
        }
        var result: [String: String] = [:]
        for (k, v) in object {
            guard let s = v.stringValue ?? v.intValue.map(String.init) else {
                throw LuaArgumentError(position: position, function: call.function, problem: "'\(key).\(k)' must be a string")
            }
            result[k] = s
        }
        return result
    }
}
