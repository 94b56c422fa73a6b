import ArgumentParser
import TendCore
import TendLua

extension Tend {
    /// `tend check-config`: loads daemons.lua and every policy, health check and plugin,
    /// each in its role's environment, prints each problem as `file:line: message`, the
    /// state of every script each daemon names, a summary naming the failing files, and
    /// exits 1 if there is any problem.
    struct CheckConfig: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "check-config",
            abstract: "Check daemons.lua and every policy, health check and plugin script.",
            discussion: """
                Compiles and runs each script on the search path (the config dir first, then the \
                shipped scripts) in its role's environment (the sandbox for daemons.lua, policies \
                and health checks), checks the table it returns, and lists every script each \
                daemon names with its state (ok, broken, missing, inline). Prints one \
                `file:line: message` line per problem; exits 1 if there is any.
                """
        )

        @OptionGroup var global: GlobalOptions
        @Option(help: "Output format: table (one `file:line: message` a line) or json.") var format: Output.Format = .table

        func run() throws {
            let paths = ScriptPaths.resolve(explicitConfigDir: global.configDir)
            ConfigChecker.enableWatchdog()
            var report = ConfigChecker.run(paths: paths, home: global.resolvedHome, blocked: ConfigChecker.blockedScripts())
            ConfigChecker.addMonitorProblems(&report, home: global.resolvedHome)
            switch format {
            case .json: Output.line(JSONOutput.document(report.json))
            case .table:
                for problem in report.problems { Output.line(problem.description) }
                if !report.scripts.isEmpty {
                    Output.line(Output.table(["DAEMON", "SCRIPT", "STATE", "FILE"], report.scripts.map {
                        [$0.daemon, $0.kind == .health ? "health" : $0.kind.noun, $0.state.rawValue, $0.file]
                    }))
                }
                Output.line(report.summary)
            }
            if !report.ok { throw ExitCode(1) }
        }
    }
}
