import ArgumentParser
import TendCore

/// The root command: its subcommands are listed here as data, each in its own file.
@main
struct Tend: ParsableCommand {
    static let version = "0.1.0"

    static let configuration = CommandConfiguration(
        commandName: "tend",
        abstract: "A daemon supervisor whose policies, health checks and startup sequence are Lua scripts.",
        version: version,
        subcommands: [
            // Subcommands (one file each), by role.
            // Daemon manager
            Start.self, Stop.self, Restart.self, Status.self, MonitorCommand.self, Reload.self, Shutdown.self,
            // PID tracker, health, history
            Pid.self, Health.self, History.self, Why.self,
            // Logger
            Log.self, Logs.self,
            // Scripts
            CheckConfig.self, Policy.self, New.self,
            // Plugins and the startup sequence
            Startup.self, Run.self, Plugins.self,
            // The desktop: start at login
            Service.self,
        ]
    )
}
