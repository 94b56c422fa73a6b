#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import ArgumentParser
import TendCore
import TendLua
import TendSystem

extension Tend {
    /// `tend startup`: the startup sequence of plugins/startup.lua, printed in the seed's
    /// format as each step finishes. Problems are reported without stopping; the exit
    /// status is 1 only if a step failed.
    struct Startup: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "startup",
            abstract: "Run the startup sequence (plugins/startup.lua): ten steps, each OK, WARN or FAIL.",
            discussion: """
                Steps live in plugins/startup.lua; a copy in the config dir shadows the shipped one, \
                and steps can be added, removed or reordered there without rebuilding. Colour only \
                on a terminal, never with NO_COLOR set. Exits 1 if a step failed.
                """)

        enum Format: String, ExpressibleByArgument, CaseIterable { case text, json }

        @OptionGroup var global: GlobalOptions

        @Option(help: ArgumentHelp("The project whose context is loaded (default: the current directory).", valueName: "dir"))
        var project: String?

        @Option(help: "Output format: text or json.") var format: Format = .text

        func run() throws {
            let context = CommandContext(global)
            let projectDir = FileSystem.absolute(project ?? ".")
            guard FileSystem.isDirectory(projectDir) else { throw CommandFailure("--project \(projectDir): not a directory") }
            try context.home.prepare()
            let sequence: StartupSequence
            do {
                sequence = try StartupSequence(home: context.home, paths: context.paths, projectDir: projectDir)
            } catch let e as PluginError {
                throw CommandFailure(e.description)
            } catch let e as LuaError {
                throw CommandFailure(e.message)
            }
            let outcomes: [StepOutcome]
            switch format {
            case .json:
                outcomes = sequence.runAll()
                Output.line(JSONOutput.document(StartupReport.json(title: sequence.title, outcomes)))
            case .text:
                let report = StartupReport(colour: Self.colourWanted())
                report.header(sequence.title).forEach(Output.line)
                outcomes = sequence.runAll(
                    willRun: { i, title in Output.line(report.stepLine(index: i, total: sequence.titles.count, title: title)) },
                    didRun: { Output.line(report.resultLine($0)) })
                report.footer(outcomes).forEach(Output.line)
            }
            if outcomes.contains(where: { $0.status == .fail }) { throw ExitCode(1) }
        }

        /// Colour only for a person at a terminal who has not asked for none (no-color.org).
        static func colourWanted() -> Bool {
            let noColor = Environment.current["NO_COLOR"].map { !$0.isEmpty } ?? false
            return !noColor && isatty(1) == 1
        }
    }
}
