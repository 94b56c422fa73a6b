import ArgumentParser
import TendCore
import TendSystem
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension Tend {
    /// `tend logs NAME… | --all | --health | --policy [-n N] [--since T] [--follow]
    /// [--json] [--level LEVEL]`: the last records of one or more logs (across rotated
    /// files), interleaved by time, each line naming its daemon, like journalctl and pm2.
    struct Logs: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "logs",
            abstract: "Show daemons' logs, interleaved by time (or health.log, policy-hits.log).",
            discussion: """
                Reads logs/daemons/NAME.log and its rotated files NAME.log.1 … in the home; \
                --health and --policy read logs/health.log and logs/policy-hits.log. Times \
                are local with their UTC offset (TZ=UTC prints Z). --follow wakes on inotify \
                where the platform has it.
                """
        )

        /// How long a follower sleeps at most before looking again without an event (a
        /// log folder created after it started is not watched yet).
        static let followTimeout: Double = 1

        @OptionGroup var global: GlobalOptions

        @Argument(help: "The daemons.", completion: Completions.daemons)
        var names: [String] = []

        @Flag(help: "Every configured daemon.")
        var all = false

        @Flag(help: "logs/health.log: health events, errors and criticals of every daemon.")
        var health = false

        @Flag(help: "logs/policy-hits.log: every decision of a restart policy.")
        var policy = false

        @Option(name: [.customShort("n"), .customLong("lines")],
                help: "How many records to show first (default 20; with --since, all since).")
        var count: Int?

        @Option(help: ArgumentHelp("Only records since then: \(SinceTime.expected).", valueName: "time"))
        var since: String?

        @Flag(name: .shortAndLong, help: "Keep printing new records (across rotations) until interrupted.")
        var follow = false

        @Flag(help: "Print the JSON Lines records as stored (docs/json.md).")
        var json = false

        @Option(help: ArgumentHelp("Only records of this level and above.", valueName: "level"))
        var level: String?

        func validate() throws {
            for name in names { try validateDaemonName(name) }
            if let count, count < 0 { throw ValidationError("-n must be 0 or more") }
            if let level, LogLevel(parsing: level) == nil {
                throw ValidationError("unknown log level '\(level)' (expected one of: \(LogLevel.names))")
            }
            if let since, SinceTime.parse(since, now: Clock.now()) == nil {
                throw ValidationError("--since '\(since)': expected \(SinceTime.expected)")
            }
            let homeWide = health || policy
            if homeWide && (all || !names.isEmpty) {
                throw ValidationError("--health and --policy show home-wide logs: name no daemons and give no --all with them")
            }
            if !homeWide && all != names.isEmpty {
                throw ValidationError(all ? "give daemon names or --all, not both" : "name at least one daemon, or use --all, --health or --policy")
            }
        }

        func run() throws {
            let context = CommandContext(global)
            let view = LogView(sources: try sources(context),
                               filter: LogFilter(minimum: level.flatMap(LogLevel.init(parsing:)) ?? .debug,
                                                 since: since.flatMap { SinceTime.parse($0, now: Clock.now()) }))
            let first = count ?? (since == nil ? 20 : Int.max)
            // Names line up: as wide as the widest shown so far.
            var nameWidth = 0
            let emit: ([LogEntry]) -> Void = { entries in
                nameWidth = max(nameWidth, entries.map(\.daemon.count).max() ?? 0)
                for entry in entries {
                    print(json ? entry.asRecord.jsonLine() : LogRendering.human(entry, nameWidth: nameWidth))
                }
                fflush(nil)
            }
            guard follow else { return emit(try view.last(first)) }
            let watch = FileWatch(directories: [context.home.daemonLogsDir, context.home.logsDir])
            emit(try view.follow(last: first))
            while true {   // ends with SIGINT / SIGTERM (default disposition)
                let entries = try view.poll()
                if entries.isEmpty { watch.wait(timeout: Self.followTimeout) } else { emit(entries) }
            }
        }

        /// The files to show. A named daemon without any log is an error (a typo, or it
        /// never wrote), except a configured one being followed (its log is read once it
        /// appears, like `tail -F`); with --all, or for the home-wide logs, a missing file
        /// is empty.
        func sources(_ context: CommandContext) throws -> [LogSource] {
            let home = context.home
            if health || policy {
                return (health ? [LogSource(label: "health", path: home.healthLog)] : [])
                    + (policy ? [LogSource(label: "policy", path: home.policyHitsLog)] : [])
            }
            let selected = all ? try context.specs().map(\.name) : names
            let sources = selected.map { LogSource(label: $0, path: home.daemonLog($0)) }
            let hasLog = { (s: LogSource) in FileSystem.exists(s.path) || FileSystem.exists(RotatingLogFile.backupPath(s.path, 1)) }
            let configured = follow && !all ? ((try? context.specs().map(\.name)) ?? []) : []
            if !all, let missing = sources.first(where: { !hasLog($0) && !configured.contains($0.label) }) {
                throw NoLog(name: missing.label, path: missing.path)
            }
            return sources
        }

        /// "no log for NAME at PATH": the daemon is unknown or never wrote anything.
        struct NoLog: Error, CustomStringConvertible {
            let name: String
            let path: String
            var description: String { "no log for \(name) at \(path)" }
        }
    }
}
