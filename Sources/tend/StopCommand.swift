import ArgumentParser
import TendCore

extension Tend {
    struct Stop: ParsableCommand {
        static let configuration = CommandConfiguration(
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
            // No monitor: stop them here, the same way (undeclared ones that still run too).
            let declared = try context.specs()
            let specs = declared + UndeclaredDaemons.running(context.home, declared: Set(declared.map(\.name)))
            let selected = try selection.resolve(context, specs: specs)
            let byName = Dictionary(specs.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
            var failed = false
            for name in selected {
                guard let spec = byName[name] else { continue }
                switch try DirectStop.stop(spec, home: context.home) {
                case .notRunning: Output.line("\(name): not running")
                case .stopped(let pid, let killed): Output.line("\(name): stopped (pid \(pid)\(killed ? ", SIGKILL after stop_timeout" : ""))")
                case .stillRunning(let pid, let remained):
                    Output.problem("\(name): still running after SIGTERM and SIGKILL: pid \(remained.map(String.init).joined(separator: ", ")) (main pid \(pid))")
                    failed = true
                case .refusedUnverified(let pid, let detail):
                    Output.problem("\(name): not signalling pid \(pid): \(detail)")
                    failed = true
                }
            }
            if failed { throw ExitCode(1) }
        }
    }
}
