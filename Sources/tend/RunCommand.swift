import ArgumentParser
import TendCore
import TendLua
import TendSystem

extension Tend {
    /// `tend run NAME [ARGS…]`: runs `plugins/NAME.lua` — a command plugin's `run(args)`
    /// once, or a daemon plugin's `tick(ctx)` every interval until SIGTERM (this is how
    /// the monitor runs a daemon declared with `plugin = "NAME"`).
    struct Run: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "run",
            abstract: "Run a Lua plugin: a command (run(args)) or a daemon (tick(ctx) every interval).",
            discussion: """
                The plugin is plugins/NAME.lua in the config dir, else the shipped one (`tend plugins` \
                lists them). A daemon plugin logs its startup and shutdown, ticks every interval \
                (--interval, else $TEND_INTERVAL, else the plugin's own), logs a tick's error with its \
                file:line and carries on, and stops cleanly on SIGTERM or SIGINT. Arguments that look \
                like options go to the plugin after `--`.
                """)

        @OptionGroup var global: GlobalOptions

        @Flag(help: "Daemon plugins: run one tick and exit (1 if it raised).")
        var once = false

        @Option(help: ArgumentHelp("Daemon plugins: seconds between ticks.", valueName: "seconds"))
        var interval: Double?

        @Argument(help: "The plugin's name (plugins/NAME.lua).", completion: Completions.plugins)
        var name: String

        @Argument(parsing: .allUnrecognized, help: "Arguments passed to the plugin.")
        var args: [String] = []

        func validate() throws {
            if let interval, !(interval > 0) { throw ValidationError("--interval must be a positive number of seconds") }
        }

        /// The plugin's arguments: the first `--` only ends our options.
        var pluginArguments: [String] {
            guard let i = args.firstIndex(of: "--") else { return args }
            var rest = args
            rest.remove(at: i)
            return rest
        }

        func run() throws {
            let context = CommandContext(global)
            let environment = Spawner.currentEnvironment()
            let supervised = environment["TEND_DAEMON"].map { !$0.isEmpty } ?? false
            let plugin: LoadedPlugin
            do {
                plugin = try LoadedPlugin(name: name, paths: context.paths, home: context.home,
                                          logName: supervised ? environment["TEND_DAEMON"]! : name)
            } catch let e as PluginError {
                throw CommandFailure(e.description)
            } catch let e as LuaError {
                throw CommandFailure(e.message)
            }
            switch plugin.info.kind {
            case .command:
                if once || interval != nil { throw CommandFailure("'\(name)' is a command plugin: --once and --interval apply to daemon plugins") }
                do {
                    let code = try CommandPluginRunner.run(plugin, args: pluginArguments)
                    if code != 0 { throw ExitCode(code) }
                } catch let e as LuaError {
                    throw CommandFailure(e.message)
                }
            case .daemon:
                try context.home.prepare()
                let runner = DaemonPluginRunner(plugin, daemonName: supervised ? environment["TEND_DAEMON"]! : name,
                                                options: .init(interval: interval, args: pluginArguments))
                // Supervised, stderr is the daemon's log already: say problems there once.
                if !supervised { runner.onProblem = { Output.problem($0) } }
                if once {
                    if let error = runner.runOnce() {
                        if supervised { Output.problem(error.message) }
                        throw ExitCode(1)
                    }
                    return
                }
                let code = try runner.runLoop()
                if code != 0 { throw ExitCode(code) }
            case .sequence:
                throw CommandFailure("'\(name)' is a sequence of steps, not a command: run it with `tend \(name)`")
            }
        }
    }
}
