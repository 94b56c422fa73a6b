import ArgumentParser
import TendCore

extension Tend {
    struct Reload: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "reload",
            abstract: "Make the running monitor re-read daemons.lua, the policies and the health checks.",
            discussion: "The same as sending it SIGHUP. A configuration with errors is refused; the running one stays in force.")

        @OptionGroup var global: GlobalOptions

        func run() throws {
            let context = CommandContext(global)
            _ = try context.specs()   // refuse a broken daemons.lua here, with file:line
            guard ControlClient.isReachable(context.home) else {
                throw CommandFailure("no monitor runs for \(context.home.root); `tend monitor --detach` starts one")
            }
            let response = try ControlClient.send(ControlRequest(.reload), home: context.home)
            if let error = response.error { throw CommandFailure(error) }
            Output.line("monitor (pid \(response.monitorPID)) reloaded its configuration and scripts")
        }
    }
}
