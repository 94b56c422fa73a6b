import ArgumentParser
import TendCore

extension Tend {
    struct Health: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Health summary: N/M healthy with percentage, and each daemon's state and reason.")

        @OptionGroup var global: GlobalOptions
        @Option(help: "Output format.") var format: Output.Format = .table
        @Flag(help: "Print the integer percentage alone.") var score = false

        func run() throws {
            let context = CommandContext(global)
            let summary = HealthSummary.compute(try context.specs(), home: context.home)
            if score { return Output.line(String(summary.percent)) }
            switch format {
            case .json: Output.line(try RecordCoding.encode(summary).trimmingTrailingNewline)
            case .table:
                Output.line("\(summary.healthy)/\(summary.total) healthy (\(summary.percent)%)")
                let rows = summary.daemons.map { [$0.daemon, $0.healthy ? "healthy" : "UNHEALTHY", $0.state.rawValue, $0.reason] }
                Output.line(Output.table(["Daemon", "Health", "State", "Reason"], rows, minWidths: [30]))
            }
        }
    }
}
