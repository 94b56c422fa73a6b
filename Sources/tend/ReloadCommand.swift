import ArgumentParser
import TendCore

extension Tend {
    struct Reload: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "reload",
            abstract: "Make the running monitor re-read daemons.lua, the policies and the health checks.",
            discussion: "The same as sending it SIGHUP. A configuration with errors is refused (the running one stays in force) and exits 1; so does one whose daemons name a missing or broken script.")

        @OptionGroup var global: GlobalOptions

        func run() throws {
            let context = CommandContext(global)
            // The monitor reads daemons.lua (through its script worker) and says what is wrong.
            guard let response = try ControlClient.sendIfListening(ControlRequest(.reload), home: context.home) else {
                throw CommandFailure("no monitor runs for \(context.home.root); `tend monitor --detach` starts one")
            }
            if let error = response.error { throw CommandFailure(error) }
            Output.line("monitor (pid \(response.monitorPID)) reloaded its configuration and scripts")
        }
    }
}
