import ArgumentParser
import TendCore

extension Tend {
    struct Start: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Start daemons (starting a background monitor first if none runs).")

        @OptionGroup var global: GlobalOptions
        @Flag(help: "Start every configured daemon.") var all = false
        @Argument(help: "Daemon names.") var names: [String] = []

        func run() throws {
            let context = CommandContext(global)
            let selected = try context.selectNames(names, all: all)
            try context.ensureMonitor(configDir: global.configDir)
            if !(try context.sendAndReport(ControlRequest(.start, names: selected))) { throw ExitCode(1) }
        }
    }

    struct Restart: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Restart daemons (not counted against the restart policy's limits).")

        @OptionGroup var global: GlobalOptions
        @Flag(help: "Restart every configured daemon.") var all = false
        @Argument(help: "Daemon names.") var names: [String] = []

        func run() throws {
            let context = CommandContext(global)
            let selected = try context.selectNames(names, all: all)
            try context.ensureMonitor(configDir: global.configDir)
            if !(try context.sendAndReport(ControlRequest(.restart, names: selected))) { throw ExitCode(1) }
        }
    }
}
