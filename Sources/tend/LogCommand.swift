import ArgumentParser
import TendCore

extension Tend {
    /// `tend log NAME [--level LEVEL] MESSAGE [key=value …]`: lets shell daemons write
    /// proper records (routed to health.log and policy-hits.log like any other) instead
    /// of echoing free text.
    struct Log: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "log",
            abstract: "Write a log record to a daemon's log.",
            discussion: """
                Values that look like numbers or true/false are stored as such. Records of \
                level error and critical are also written to logs/health.log.
                Example: tend log backup --level warning "disk nearly full" free_mb=212
                """
        )

        @OptionGroup var global: GlobalOptions

        @Option(name: .shortAndLong, help: ArgumentHelp("debug, info, warning (warn), error or critical.", valueName: "level"))
        var level: String = "info"

        @Argument(help: "The daemon the record belongs to.", completion: Completions.daemons)
        var name: String

        @Argument(help: "The message.")
        var message: String

        @Argument(help: ArgumentHelp("Extra fields.", valueName: "key=value"))
        var fields: [String] = []

        func validate() throws {
            if let problem = DaemonName.validate(name) { throw ValidationError(problem) }
            if LogLevel(parsing: level) == nil {
                throw ValidationError("unknown log level '\(level)' (expected one of: \(LogLevel.names))")
            }
            for field in fields {
                guard let (key, _) = JSONValue.commandLineField(field) else {
                    throw ValidationError("field '\(field)' is not key=value")
                }
                if LogRecord.leadingKeys.contains(key) {
                    throw ValidationError("field '\(key)' is reserved: every record has its own ts, level, daemon and msg (use --level for the level)")
                }
            }
        }

        func run() throws {
            let home = global.resolvedHome
            try home.prepare()
            var values: [String: JSONValue] = [:]
            for field in fields {
                if let (key, value) = JSONValue.commandLineField(field) { values[key] = value }
            }
            let logger = DaemonLogger(home: home, daemon: name)
            try logger.log(LogLevel(parsing: level) ?? .info, message, fields: values)
        }
    }
}
