import ArgumentParser
import TendCore

extension Tend {
    struct Health: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "health",
            abstract: "Health summary: N/M healthy with percentage, and each daemon's state and reason.",
            discussion: "Exits 1 unless every daemon is healthy (in every format), so `tend health && …` works in scripts.")

        @OptionGroup var global: GlobalOptions
        @Option(help: "Output format.") var format: Output.Format = .table
        @Flag(help: "Print the integer percentage alone.") var score = false

        func run() throws {
            let context = CommandContext(global)
            let summary = HealthSummary.compute(from: try Status.report(context, names: []))
            if score {
                Output.line(String(summary.percent))
            } else {
                switch format {
                case .json: Output.line(JSONOutput.document(summary.json))
                case .table:
                    Output.line("\(summary.healthy)/\(summary.total) healthy (\(summary.percent)%)")
                    let rows = summary.daemons.map { [$0.daemon, $0.word, $0.state.rawValue, $0.reason] }
                    Output.line(Output.table(["Daemon", "Health", "State", "Reason"], rows, minWidths: [30]))
                }
            }
            if !summary.allHealthy { throw ExitCode(1) }
        }
    }
}
