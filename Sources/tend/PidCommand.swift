import ArgumentParser
import TendCore
import TendSystem

extension Tend {
    /// The seed's pid-tracker.py.
    struct Pid: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Read, verify and clean up PID files (identity = PID + start time).",
            subcommands: [Read.self, Write.self, Verify.self, Health.self, Cleanup.self])

        struct Read: ParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Print the PID in a daemon's PID file.")
            @OptionGroup var global: GlobalOptions
            @Argument(help: "Daemon name.") var name: String

            func run() throws {
                let home = CommandContext(global).home
                try validateDaemonName(name)
                switch PidFile.read(home, name) {
                case .pid(let pid): Output.line(String(pid))
                case .missing: throw CommandFailure("\(name): no PID file at \(home.pidFile(name))")
                case .corrupt(let text): throw CommandFailure("\(home.pidFile(name)): not a PID: '\(text)'")
                }
            }
        }

        struct Write: ParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Record a running process as a daemon's (for daemons started by other tools).",
                discussion: "Writes the PID file and the identity record (PID + start time) as of now; refuses a PID that is not running.")
            @OptionGroup var global: GlobalOptions
            @Argument(help: "Daemon name.") var name: String
            @Argument(help: "The PID.") var pid: Int32

            func run() throws {
                let home = CommandContext(global).home
                try validateDaemonName(name)
                guard pid > 0 else { throw ValidationError("a PID is a positive number") }
                try home.prepare()
                do {
                    let process = try PidTracker(home: home).record(name, pid: pid)
                    Output.line("\(name): wrote \(pid) to \(home.pidFile(name)) (identity recorded: \(process.name), started \(Clock.iso8601(process.startedAt)))")
                } catch let e as PidTracker.NotRunning {
                    throw CommandFailure("\(name): \(e)")
                }
            }
        }

        struct Verify: ParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Say whether the PID file names the running daemon, with process info.")
            @OptionGroup var global: GlobalOptions
            @Option(help: "Output format.") var format: Output.Format = .table
            @Argument(help: "Daemon name.") var name: String

            func run() throws {
                try validateDaemonName(name)
                let context = CommandContext(global)
                let v = PidTracker(home: context.home, declared: (try? context.specs()) ?? []).verify(name)
                let info = v.process.map(ProcessInfoView.init)
                switch format {
                case .json:
                    var object: [String: JSONValue] = ["daemon": .string(name), "verdict": .string(v.verdict.rawValue),
                                                       "detail": .string(v.detail)]
                    if let pid = v.pid { object["pid"] = .int(Int64(pid)) }
                    if let info { object["process"] = info.json }
                    Output.line(JSONValue.object(object).serialized(keysFirst: ["daemon", "verdict", "pid"]))
                case .table:
                    Output.line("\(name): \(v.verdict.rawValue)\(v.pid.map { " (pid \($0))" } ?? "") - \(v.detail)")
                    if let info { Output.line(info.lines.map { "  " + $0 }.joined(separator: "\n")) }
                }
                if v.verdict != .running { throw ExitCode(1) }
            }
        }

        struct Health: ParsableCommand {
            static let configuration = CommandConfiguration(abstract: "How many configured daemons have a verified running process.")
            @OptionGroup var global: GlobalOptions
            @Option(help: "Output format.") var format: Output.Format = .table

            func run() throws {
                let context = CommandContext(global)
                let specs = try context.specs()
                let s = PidTracker(home: context.home, declared: specs).health(specs.map(\.name))
                switch format {
                case .json:
                    Output.line(JSONValue.object([
                        "total": .int(Int64(s.total)), "running": .int(Int64(s.running)), "percent": .int(Int64(s.percent)),
                        "stale": .array(s.stale.map { .string($0) }), "no_pid_file": .array(s.missing.map { .string($0) }),
                    ]).serialized())
                case .table:
                    Output.line("\(s.running)/\(s.total) running (\(s.percent)%)")
                    if !s.stale.isEmpty { Output.line("stale: \(s.stale.joined(separator: ", "))") }
                    if !s.missing.isEmpty { Output.line("no PID file: \(s.missing.joined(separator: ", "))") }
                }
            }
        }

        struct Cleanup: ParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Remove stale PID files (only those), naming each.")
            @OptionGroup var global: GlobalOptions

            func run() throws {
                let context = CommandContext(global)
                let result = PidTracker(home: context.home, declared: (try? context.specs()) ?? []).cleanup()
                for r in result.removed {
                    Output.line("removed \(r.daemon).pid\(r.pid.map { " (pid \($0))" } ?? ""): \(r.detail)")
                }
                for k in result.outOfDate {
                    Output.line("kept \(k.daemon).pid: out of date, the daemon runs as pid \(k.runningAs) (a write that failed?)")
                }
                Output.line(result.removed.isEmpty ? "No stale PIDs found" : "\(result.removed.count) stale PID file(s) removed")
            }
        }
    }
}

func validateDaemonName(_ name: String) throws {
    if let problem = DaemonName.validate(name) { throw ValidationError(problem) }
}

/// Process details for people and JSON (the seed's get_process_info).
struct ProcessInfoView {
    let snapshot: ProcessSnapshot
    init(_ s: ProcessSnapshot) { snapshot = s }

    var lines: [String] {
        let s = snapshot
        return ["name: \(s.name)", "state: \(s.state)", "rss: \(s.residentBytes / 1024) KiB",
                "cpu: \(String(format1: s.cpuPercent()))%", "started: \(Clock.iso8601(s.startedAt))",
                "threads: \(s.threads)", "command: \(s.commandLine.joined(separator: " "))"]
    }

    var json: JSONValue {
        let s = snapshot
        return .object(["pid": .int(Int64(s.pid)), "name": .string(s.name), "state": .string(s.state),
                        "rss_bytes": .int(s.residentBytes), "cpu_percent": .double((s.cpuPercent() * 10).rounded() / 10),
                        "start_time": .int(Int64(s.startTime)), "started_at": .string(Clock.iso8601(s.startedAt)),
                        "threads": .int(Int64(s.threads)), "cmdline": .array(s.commandLine.map { .string($0) })])
    }
}

extension String {
    init(format1 value: Double) {
        let tenths = Int((value * 10).rounded())
        self = "\(tenths / 10).\(abs(tenths % 10))"
    }
}
