import ArgumentParser
import TendCore
import TendSystem
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension Tend {
    /// `tend logs NAME [-n N] [--follow] [--json] [--level LEVEL]`: the last records of a
    /// daemon's log (across rotated files), for people or as JSON Lines; `--follow` keeps
    /// going across rotations like `tail -F`.
    struct Logs: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "logs",
            abstract: "Show a daemon's log.",
            discussion: "Reads logs/daemons/NAME.log and its rotated files NAME.log.1 … in the home."
        )

        /// Between polls while following: short enough to feel live, long enough to cost nothing.
        static let followInterval: Double = 0.15

        @OptionGroup var global: GlobalOptions

        @Argument(help: "The daemon.", completion: Completions.daemons)
        var name: String

        @Option(name: [.customShort("n"), .customLong("lines")], help: "How many records to show first.")
        var count: Int = 20

        @Flag(name: .shortAndLong, help: "Keep printing new records (across rotations) until interrupted.")
        var follow = false

        @Flag(help: "Print the JSON Lines records as stored.")
        var json = false

        @Option(help: ArgumentHelp("Only records of this level and above.", valueName: "level"))
        var level: String?

        func validate() throws {
            if let problem = DaemonName.validate(name) { throw ValidationError(problem) }
            if count < 0 { throw ValidationError("-n must be 0 or more") }
            if let level, LogLevel(parsing: level) == nil {
                throw ValidationError("unknown log level '\(level)' (expected one of: \(LogLevel.names))")
            }
        }

        func run() throws {
            let path = global.resolvedHome.daemonLog(name)
            if !FileSystem.exists(path) && !FileSystem.exists(RotatingLogFile.backupPath(path, 1)) {
                throw NoLog(name: name, path: path)
            }
            let minimum = level.flatMap(LogLevel.init(parsing:)) ?? .debug
            let include: (String) -> Bool = { LogLevel.of(line: $0) >= minimum }
            let emit: ([String]) -> Void = { lines in
                for line in lines where !line.isEmpty && include(line) {
                    print(json ? line : LogRendering.human(line))
                }
                fflush(nil)
            }
            guard follow else {
                emit(try LogTail.lastLines(path: path, count: count, where: include))
                return
            }
            let follower = try LogFollower(path: path)
            emit(try follower.tail(count: count, where: include))
            while true {   // ends with SIGINT / SIGTERM (default disposition)
                let lines = try follower.poll()
                if lines.isEmpty {
                    usleep(UInt32(Logs.followInterval * 1_000_000))
                } else {
                    emit(lines)
                }
            }
        }

        /// "no log for NAME at PATH": the daemon is unknown or never wrote anything.
        struct NoLog: Error, CustomStringConvertible {
            let name: String
            let path: String
            var description: String { "no log for \(name) at \(path)" }
        }
    }
}
