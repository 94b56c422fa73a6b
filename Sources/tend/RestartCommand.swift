import ArgumentParser
import TendCore

extension Tend {
    struct Restart: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Restart daemons (not counted against the restart policy's limits).")

        @OptionGroup var global: GlobalOptions
        @OptionGroup var selection: DaemonSelection

        func run() throws { try sendToMonitor(.restart, global, selection) }
    }
}
