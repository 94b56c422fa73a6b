import ArgumentParser
import TendCore
import TendSystem

/// Options every command shares: where the state lives and where the user's scripts are.
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("State directory (default: $TEND_HOME, else $XDG_STATE_HOME/tend, else ~/.local/state/tend).", valueName: "dir"))
    var home: String?

    @Option(name: .customLong("config-dir"), help: ArgumentHelp("User scripts: daemons.lua, plugins, policies (default: $TEND_CONFIG_DIR, else ~/.config/tend).", valueName: "dir"))
    var configDir: String?

    var resolvedHome: Home { Home.resolve(explicit: home) }

    /// Another user's home is refused up front: reading it would otherwise pass for an
    /// empty one ("STOPPED", "no log") when the truth is "permission denied".
    func validate() throws {
        if let problem = resolvedHome.accessProblem() { throw CommandFailure(problem) }
    }
}
