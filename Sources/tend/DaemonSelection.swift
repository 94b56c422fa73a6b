import ArgumentParser
import TendCore

/// `NAME… | --all`, shared by the commands that act on daemons.
struct DaemonSelection: ParsableArguments {
    @Flag(help: "Every configured daemon.") var all = false
    @Argument(help: "Daemon names.", completion: Completions.daemons) var names: [String] = []

    /// The selected names, checked against `specs` (read from daemons.lua when not given).
    func resolve(_ context: CommandContext, specs: [DaemonSpec]? = nil) throws -> [String] {
        try context.selectNames(names, all: all, from: specs)
    }
}
