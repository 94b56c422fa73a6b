import ArgumentParser
import TendCore

extension Tend {
    struct Start: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Start daemons (starting a background monitor first if none runs).")

        @OptionGroup var global: GlobalOptions
        @OptionGroup var selection: DaemonSelection

        func run() throws { try sendToMonitor(.start, global, selection) }
    }

    struct Restart: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Restart daemons (not counted against the restart policy's limits).")

        @OptionGroup var global: GlobalOptions
        @OptionGroup var selection: DaemonSelection

        func run() throws { try sendToMonitor(.restart, global, selection) }
    }
}

/// Validates the names, makes sure a monitor runs, sends the request, prints the replies.
private func sendToMonitor(_ command: ControlRequest.Command, _ global: GlobalOptions, _ selection: DaemonSelection) throws {
    let context = CommandContext(global)
    let selected = try selection.resolve(context)
    try context.ensureMonitor(configDir: global.configDir)
    if !(try context.sendAndReport(ControlRequest(command, names: selected))) { throw ExitCode(1) }
}
