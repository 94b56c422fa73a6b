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
}

/// Sends the request to the monitor (starting one when none runs), which checks the
/// names against its configuration; prints its answers.
func sendToMonitor(_ command: ControlRequest.Command, _ global: GlobalOptions, _ selection: DaemonSelection) throws {
    let context = CommandContext(global)
    if selection.names.isEmpty && !selection.all && !ControlClient.isReachable(context.home) {
        _ = try selection.resolve(context)   // says what is known, from daemons.lua
    }
    if !(try context.request(ControlRequest(command, names: selection.names, all: selection.all), configDir: global.configDir)) {
        throw ExitCode(1)
    }
}
