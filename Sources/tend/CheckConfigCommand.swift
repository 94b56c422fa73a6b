import ArgumentParser
import TendCore
import TendLua

extension Tend {
    /// `tend check-config`: loads daemons.lua and every policy, health check and plugin,
    /// prints each problem as `file:line: message`, and exits 1 if there is any.
    struct CheckConfig: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "check-config",
            abstract: "Check daemons.lua and every policy, health check and plugin script.",
            discussion: """
                Compiles and runs each script on the search path (the config dir first, then the \
                shipped scripts), checks the table it returns, and checks that every script a \
                daemon names exists. Prints one `file:line: message` line per problem; exits 1 \
                if there is any.
                """
        )

        @OptionGroup var global: GlobalOptions
        @Option(help: "Output format: table (one `file:line: message` a line) or json.") var format: Output.Format = .table

        func run() throws {
            let paths = ScriptPaths.resolve(explicitConfigDir: global.configDir)
            let report = ConfigChecker.run(paths: paths, home: global.resolvedHome)
            switch format {
            case .json: Output.line(JSONOutput.document(report.json))
            case .table:
                for problem in report.problems { Output.line(problem.description) }
                Output.line(report.summary)
            }
            if !report.ok { throw ExitCode(1) }
        }
    }
}
