import ArgumentParser
import TendCore
import TendSystem

extension Tend {
    /// `tend shutdown [--keep-daemons]`: every daemon stopped (as `stop --all` does,
    /// dependents first), then the monitor and the log writer; or only the monitor.
    struct Shutdown: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "shutdown",
            abstract: "Stop every daemon, then the monitor (--keep-daemons: only the monitor).",
            discussion: """
                Without --keep-daemons: as `tend stop --all`, then the monitor and the log writer end. \
                With it, the daemons (and the log writer, which keeps their output flowing) run on, \
                and the next monitor adopts them. Exits 1 if a daemon could not be stopped.
                """)

        @OptionGroup var global: GlobalOptions
        @Flag(help: "Stop only the monitor; the daemons run on.") var keepDaemons = false

        func run() throws {
            let context = CommandContext(global)
            guard let monitor = MonitorProcess.running(context.home) else {
                if keepDaemons { return Output.line("no monitor runs for \(context.home.root)") }
                Output.line("no monitor runs for \(context.home.root); stopping the daemons here")
                let stopped = try Stop.stopWithoutMonitor(context, names: [], all: true)
                if !Self.stopLogWriter(context.home) || !stopped { throw ExitCode(1) }
                return
            }
            let ok = try context.sendAndReport(ControlRequest(.shutdown, keepDaemons: keepDaemons))
            // Answered, then it ends: wait for that (its exit, by identity).
            if let watch = try? ProcessTable.openExitWatch(monitor.identity) {
                defer { closeFD(watch) }
                _ = Poller.waitReadable([watch], timeout: 10)
            }
            let ended = ProcessTable.check(monitor.identity) != .alive
            Output.line("monitor (pid \(monitor.pid)) \(ended ? "stopped" : "did not stop within 10 s")"
                        + (keepDaemons ? "; the daemons run on, and the next monitor adopts them" : ""))
            if !ok || !ended { throw ExitCode(1) }
        }

        /// The log writer ends last, as a monitor's shutdown ends it. False if it outlived SIGKILL.
        static func stopLogWriter(_ home: Home) -> Bool {
            guard let (writer, outcome) = LogWriterProcess.stop(home) else { return true }
            guard outcome.remained.isEmpty else {
                Output.problem("log writer (pid \(writer.pid)) still running after SIGTERM and SIGKILL")
                return false
            }
            Output.line("log writer (pid \(writer.pid)) stopped\(outcome.escalated ? " (SIGKILL after 5 s)" : "")")
            return true
        }
    }
}
