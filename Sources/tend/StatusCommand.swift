import ArgumentParser
import TendCore
import TendSystem

extension Tend {
    struct Status: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "status",
            abstract: "Show each daemon's state, PID, uptime, restarts and last exit.",
            discussion: "A running monitor answers from what it holds (the truth even when the disk is full); without one, from the state files and /proc.")

        @OptionGroup var global: GlobalOptions
        @Option(help: "Output format.") var format: Output.Format = .table
        @Argument(help: "Daemon names (default: all).", completion: Completions.daemons) var names: [String] = []

        func run() throws {
            try Self.show(CommandContext(global), format: format, names: names)
        }

        /// What `tend status` prints (also the fast path's, see `PlainStatus`).
        static func show(_ context: CommandContext, format: Output.Format, names: [String]) throws {
            switch format {
            case .json: Output.line(JSONOutput.document(try StatusReport.currentJSON(context.home, names: names, declared: context.specs)))
            case .table: Output.line(Self.render(try Self.report(context, names: names)))
            }
        }

        /// The monitor's report when one runs (no daemons.lua is read), else the one the
        /// state files and /proc give.
        static func report(_ context: CommandContext, names: [String]) throws -> StatusReport {
            try StatusReport.current(context.home, names: names, declared: context.specs)
        }

        static func render(_ report: StatusReport) -> String {
            let rows = report.daemons.map { d -> [String] in
                [d.daemon, d.state.rawValue, d.pid.map(String.init) ?? "-",
                 d.uptimeSeconds.map(Clock.humanDuration) ?? "-", String(d.restarts), reasonCell(d)]
            }
            let monitor = report.monitor.running ? "monitor: running (pid \(report.monitor.pid ?? 0))" : "monitor: not running"
            return Output.table(["Daemon", "Status", "PID", "Uptime", "Restarts", "Last exit / reason"], rows,
                                minWidths: [30, 12, 8]) + "\n" + monitor
        }

        /// The widest "Last exit / reason" cell; a longer one is cut and points at the
        /// command that tells the whole story.
        static let reasonWidth = 100

        static func reasonCell(_ d: DaemonStatus) -> String {
            let text = [d.lastExit, d.reason].compactMap { $0 }.joined(separator: "; ").ifEmpty("-")
            guard text.count > reasonWidth else { return text }
            let pointer = "… (tend why \(d.daemon))"
            return String(text.prefix(max(40, reasonWidth - pointer.count))) + pointer
        }
    }
}

extension String {
    func ifEmpty(_ replacement: String) -> String { isEmpty ? replacement : self }
}
