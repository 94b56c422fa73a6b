import ArgumentParser
import TendCore
import TendSystem

extension Tend {
    struct Status: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show each daemon's state, PID, uptime, restarts and last exit.",
            discussion: "Read from the state files and /proc: works with or without a running monitor.")

        @OptionGroup var global: GlobalOptions
        @Option(help: "Output format.") var format: Output.Format = .table
        @Argument(help: "Daemon names (default: all).") var names: [String] = []

        func run() throws {
            let context = CommandContext(global)
            let specs = try context.specs()
            let selected = Set(try context.selectNames(names, all: false, orAllWhenEmpty: true, from: specs))
            let report = StatusReport.read(specs.filter { selected.contains($0.name) }, home: context.home, withUndeclared: names.isEmpty)
            switch format {
            case .json: Output.line(try RecordCoding.encode(report).trimmingTrailingNewline)
            case .table: Output.line(Self.render(report))
            }
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
    var trimmingTrailingNewline: String { hasSuffix("\n") ? String(dropLast()) : self }
    func ifEmpty(_ replacement: String) -> String { isEmpty ? replacement : self }
}
