import ArgumentParser
import TendCore

extension Tend {
    struct Stop: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "stop",
            abstract: "Stop daemons: SIGTERM to the process group, SIGKILL after stop_timeout.",
            discussion: "The wanted state becomes \"down\", so the monitor does not restart them.")

        @OptionGroup var global: GlobalOptions
        @OptionGroup var selection: DaemonSelection

        func run() throws {
            let context = CommandContext(global)
            // A monitor that holds the home's lock does the stop (it checks the names), even
            // if it is slow to answer: stopping behind its back would race its restart.
            if MonitorProcess.running(context.home) != nil {
                let request = ControlRequest(.stop, names: selection.names, all: selection.all)
                if !(try context.sendAndReport(request)) { throw ExitCode(1) }
                return
            }
            if !(try Self.stopWithoutMonitor(context, names: selection.names, all: selection.all)) { throw ExitCode(1) }
        }

        /// No monitor: the same stop, done here (undeclared daemons that still run too).
        /// False if any could not be stopped.
        static func stopWithoutMonitor(_ context: CommandContext, names: [String], all: Bool) throws -> Bool {
            let declared = try context.specs()
            let specs = declared + UndeclaredDaemons.running(context.home, declared: Set(declared.map(\.name)))
            let selected = try context.selectNames(names, all: all, from: specs)
            let byName = Dictionary(specs.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
            var ok = true
            // One scan of the processes serves every daemon that was not running: only a stop
            // that signalled something changed the table (a scan reads every process).
            var tagged: TaggedProcesses?
            // Dependents first, as the monitor does.
            for name in StartOrder.stopStages(selected, after: { byName[$0]?.after ?? [] }).joined() {
                guard let spec = byName[name] else { continue }
                let scan = tagged ?? TaggedProcesses.scan(context.home)
                let outcome = try DirectStop.stop(spec, home: context.home, tagged: scan)
                tagged = outcome == .notRunning ? scan : nil
                switch outcome {
                case .notRunning: Output.line("\(name): not running")
                case .stopped(let pid, let killed): Output.line("\(name): stopped (pid \(pid)\(killed ? ", SIGKILL after stop_timeout" : ""))")
                case .endedLeftovers(let pids, let killed):
                    Output.line("\(name): not running; ended what its last run left running (pid \(pids.map(String.init).joined(separator: ", "))\(killed ? ", SIGKILL after stop_timeout" : ""))")
                case .stillRunning(let pid, let remained):
                    Output.problem("\(name): still running after SIGTERM and SIGKILL: pid \(remained.map(String.init).joined(separator: ", "))"
                                   + (pid.map { " (main pid \($0))" } ?? " (left by its last run)"))
                    ok = false
                case .refusedUnverified(let pid, let detail):
                    Output.problem("\(name): not signalling pid \(pid): \(detail)")
                    ok = false
                }
            }
            return ok
        }
    }
}
