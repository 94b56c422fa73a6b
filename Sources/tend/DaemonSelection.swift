import ArgumentParser

/// `NAME… | --all`, shared by the commands that act on daemons.
struct DaemonSelection: ParsableArguments {
    @Flag(help: "Every configured daemon.") var all = false
    @Argument(help: "Daemon names.") var names: [String] = []

    func resolve(_ context: CommandContext) throws -> [String] {
        try context.selectNames(names, all: all)
    }
}
