import ArgumentParser
import TendCore
import TendLua
import TendSystem

extension Tend.Policy {
    /// `tend policy simulate NAME --deaths FILE`: a policy tried without a single crash.
    struct Simulate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Replay a list of deaths through a daemon's restart policy, changing nothing.",
            discussion: """
                FILE is a JSON array of deaths, each {"uptime": s, "code": N} or {"uptime": s, "signal": "SIGKILL"}. \
                The first death comes `uptime` seconds after the simulated start, each later one `uptime` seconds \
                after the restart the previous decision led to (a wait delays that restart); a stay_down ends the \
                replay. The decisions come from the monitor's own policy code, with the same restart history; \
                nothing is started, signalled or written, and no monitor is asked.
                """)

        @OptionGroup var global: GlobalOptions
        @Argument(help: "Daemon name (its restart limits and policy are used).") var name: String
        @Option(help: ArgumentHelp("The deaths: a JSON file, or - for stdin.", valueName: "file")) var deaths: String?
        @Option(help: ArgumentHelp("A policy file to try instead of the daemon's (an unsaved edit).", valueName: "file")) var policy: String?
        @Flag(name: .customLong("from-history"), help: "Replay the deaths recorded in logs/policy-hits.log.") var fromHistory = false
        @Option(help: "Output format.") var format: Output.Format = .table

        func validate() throws {
            if fromHistory == (deaths != nil) {
                throw ValidationError(fromHistory ? "give --deaths or --from-history, not both"
                                                  : "give the deaths: --deaths FILE (- for stdin), or --from-history")
            }
        }

        func run() throws {
            let context = CommandContext(global)
            let specs = try context.specs()
            _ = try context.selectNames([name], all: false, from: specs)
            let spec = specs.first { $0.name == name }!
            let replayed = try readDeaths(context.home)
            if let policy, !FileSystem.exists(policy) { throw CommandFailure("--policy \(policy): no such file") }
            let simulator = try PolicySimulator(daemon: spec, home: context.home, paths: context.paths, file: policy)
            let result = simulator.run(replayed)
            for problem in result.problems { Output.problem(problem) }
            switch format {
            case .json: Output.line(SimulationOutput.json(result, simulator).serialized())
            case .table: Output.line(SimulationOutput.text(result, simulator))
            }
            if !result.problems.isEmpty { throw ExitCode(1) }
        }

        private func readDeaths(_ home: Home) throws -> [SimulatedDeath] {
            if fromHistory {
                return try PolicyHit.load(home, daemon: name, count: 10_000).map(SimulatedDeath.init)
            }
            let source = deaths!
            let text: String
            do {
                text = String(decoding: try FileSystem.readBytes(source == "-" ? "/dev/stdin" : source), as: UTF8.self)
            } catch {
                throw CommandFailure("--deaths \(source): cannot read it (\(error))")
            }
            do { return try SimulatedDeath.parseList(text, source: source == "-" ? "stdin" : source) } catch let e as SimulatedDeath.InputError {
                throw CommandFailure(e.description)
            }
        }
    }
}
