import ArgumentParser
import TendCore
import TendLua
import TendSystem

extension Tend {
    struct MonitorCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "monitor",
            abstract: "Run the supervisor (foreground by default; at most one per home).",
            discussion: """
            The monitor starts and restarts daemons, captures their output into their logs, \
            applies the restart policy when one dies, and runs health checks every interval. \
            Killing it (even with SIGKILL) stops no daemon; the next monitor adopts them.
            """)

        @OptionGroup var global: GlobalOptions

        @Flag(help: "Run in the background (output to logs/monitor.log) and return once it answers.")
        var detach = false

        @Flag(help: "Run one cycle (restart dead daemons through the policy, run health checks) and exit.")
        var once = false

        @Option(help: ArgumentHelp("Seconds between health-check rounds.", valueName: "seconds"))
        var interval: Double = 300

        func validate() throws {
            guard interval > 0 else { throw ValidationError("--interval must be a positive number of seconds") }
            guard !(detach && once) else { throw ValidationError("--detach and --once exclude each other") }
        }

        func run() throws {
            let context = CommandContext(global)
            if detach {
                if let running = MonitorProcess.running(context.home) {
                    throw CommandFailure("a monitor already runs for \(context.home.root) (pid \(running.pid))")
                }
                try context.ensureMonitor(configDir: global.configDir, monitorArguments: ["--interval", String(interval)])
                Output.line("monitor running (pid \(MonitorProcess.running(context.home)?.pid ?? 0)) for \(context.home.root)")
                return
            }
            if once, let running = MonitorProcess.running(context.home) {
                // For cron: a running monitor already does all of this, event-driven.
                return Output.line("a monitor runs for \(context.home.root) (pid \(running.pid)); it already does this: nothing to do")
            }
            let monitor = try makeMonitor(context)
            if once {
                let lines = try monitor.runOnce()
                lines.forEach(Output.line)
                if lines.isEmpty { Output.line("nothing to do: every daemon is as wanted") }
                return
            }
            try monitor.run()
        }

        func makeMonitor(_ context: CommandContext) throws -> Monitor {
            // The configuration is loaded by the monitor itself, after it holds the home's
            // lock: a `tend start` arriving meanwhile waits for it instead of racing it.
            // It is read, like every policy and check, by the script workers: no user Lua
            // runs in this process.
            var environment = Spawner.currentEnvironment()
            environment["TEND_HOME"] = context.home.root
            environment["TEND_CONFIG_DIR"] = context.paths.configDir
            let workerOptions = WorkerScripts.Options()
            // The built-in policy decides when a worker cannot, and for daemons that use the
            // shipped policy unedited (ShippedPolicy: no round trip to a worker).
            let builtin = try BuiltinPolicy()
            let scripts = try WorkerScripts(home: context.home, executable: FileSystem.executablePath(),
                                            environment: environment, fallback: builtin,
                                            inProcess: ShippedPolicy(builtin: builtin, paths: context.paths), options: workerOptions)
            var options = Monitor.Options()
            options.core.interval = interval
            // The workers' own deadline comes first (and names the line Lua was at); this
            // one is the state machine's backstop.
            options.core.decideDeadline = workerOptions.decideDeadline + 0.1
            options.core.daemonEnvironment["TEND_CONFIG_DIR"] = context.paths.configDir
            let home = context.home.root
            options.onStarted = { daemons in
                Output.problem("monitor for \(home) (pid \(getpidValue())), \(daemons) daemons configured; SIGTERM or Ctrl-C stops the monitor, not the daemons")
            }
            return Monitor(home: context.home, tendExecutable: FileSystem.executablePath(), options: options, scripts: scripts)
        }
    }
}
