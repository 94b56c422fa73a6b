import ArgumentParser
import TendCore
import TendLua
import TendSystem
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension Tend {
    /// `tend service install|uninstall|status`: the monitor as a login service of the
    /// platform's manager (systemd user unit, launchd agent).
    struct Service: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "service",
            abstract: "Start the monitor at login: a systemd user unit or a launchd agent.",
            subcommands: [Install.self, Uninstall.self, Status.self])

        struct Install: ParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "install",
                abstract: "Write the unit for this home and config dir, then enable and start it.",
                discussion: """
                    systemd: $XDG_CONFIG_HOME/systemd/user/tend.service (default ~/.config), enabled \
                    and started with `systemctl --user` when a user manager answers; otherwise the \
                    one command to run is printed. launchd: ~/Library/LaunchAgents/\(LaunchdAgent.label).plist, \
                    loaded with `launchctl bootstrap` on macOS. The unit stops only the monitor: \
                    daemons keep running and the next monitor adopts them.
                    """)
            @OptionGroup var global: GlobalOptions
            @OptionGroup var manager: ManagerChoice
            @Flag(help: "Print the file that would be written, and write nothing.") var dryRun = false

            func run() throws {
                let service = try manager.service(global)
                let text = service.render()
                if dryRun {
                    Output.problem("--dry-run: would write \(service.unitPath) (nothing written)")
                    return Output.line(text.hasSuffix("\n") ? String(text.dropLast()) : text)
                }
                try global.resolvedHome.prepare()   // launchd opens the log there
                try FileSystem.makeDirectory(FileSystem.parentDirectory(of: service.unitPath), mode: 0o755)
                try FileSystem.writeAtomically(service.unitPath, text: text, mode: 0o644)
                Output.line("wrote \(service.unitPath)")
                let executable = FileSystem.executablePath()
                if executable.contains("/.build/") {
                    Output.problem("note: the unit runs \(executable), a build folder's binary; `scripts/install` puts a lasting copy in ~/.local/bin")
                }
                guard ManagerCalls.answers(service) else {
                    return Output.line("no \(type(of: service).kind.rawValue) manager answers here; to start it at login run:\n  \(service.manualLoadCommand)")
                }
                try ManagerCalls.run(service.loadCommands)
                Output.line("enabled and started (\(service.loadCommands.map { $0.argv.joined(separator: " ") }.joined(separator: "; ")))")
            }
        }

        struct Uninstall: ParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "uninstall",
                abstract: "Stop and disable the unit, then remove its file (the daemons keep running).")
            @OptionGroup var global: GlobalOptions
            @OptionGroup var manager: ManagerChoice
            @Flag(help: "Say what would be done, and do nothing.") var dryRun = false

            func run() throws {
                let service = try manager.service(global)
                guard FileSystem.exists(service.unitPath) else {
                    return Output.line("not installed: no \(service.unitPath)")
                }
                if dryRun { return Output.line("--dry-run: would unload and remove \(service.unitPath)") }
                let answers = ManagerCalls.answers(service)
                if answers { try ManagerCalls.run(service.unloadCommands) }
                try FileSystem.remove(service.unitPath)
                Output.line("removed \(service.unitPath)" + (answers ? " (stopped and disabled; the daemons keep running)" : ""))
            }
        }

        struct Status: ParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "status",
                abstract: "Say whether the unit is installed, up to date, enabled and running; exit 1 if not installed.")
            @OptionGroup var global: GlobalOptions
            @OptionGroup var manager: ManagerChoice

            func run() throws {
                let service = try manager.service(global)
                guard let installed = try FileSystem.readTextIfPresent(service.unitPath) else {
                    Output.line("not installed: no \(service.unitPath) (`tend service install` writes it)")
                    throw ExitCode(1)
                }
                let current = installed == service.render()
                Output.line("installed: \(service.unitPath)" + (current ? "" : " (differs from what `tend service install` writes now: run it again)"))
                guard ManagerCalls.answers(service) else {
                    return Output.line("no \(type(of: service).kind.rawValue) manager answers here")
                }
                for command in service.statusCommands {
                    let result = try? BoundedCommand.run(command.argv, timeout: ManagerCalls.timeout)
                    let answer = (result?.stdout ?? "").split(separator: "\n").first.map(String.init) ?? "no answer"
                    Output.line("\(command.label): \(answer)")
                }
            }
        }
    }
}

/// `--systemd | --launchd`, default the platform's own.
struct ManagerChoice: ParsableArguments {
    @Flag(help: "A systemd user unit (the default on Linux).") var systemd = false
    @Flag(help: "A launchd agent (the default on macOS).") var launchd = false

    func validate() throws {
        if systemd && launchd { throw ValidationError("--systemd and --launchd exclude each other") }
    }

    func service(_ global: GlobalOptions) throws -> any LoginService {
        let kind: LoginServiceKind = systemd ? .systemd : (launchd ? .launchd : .platformDefault)
        let context = CommandContext(global)
        let launch = MonitorLaunch(
            executable: FileSystem.executablePath(), home: context.home.root, configDir: context.paths.configDir,
            userHome: Home.userHome(.current), xdgConfigHome: Environment.current["XDG_CONFIG_HOME"], uid: getuid())
        return launch.service(kind)
    }
}

/// Calls of `systemctl` / `launchctl`, bounded in time (a hung bus never hangs tend).
enum ManagerCalls {
    static let timeout: Double = 30

    /// The manager answers its probe (systemd: a user manager runs and is reachable).
    static func answers(_ service: any LoginService) -> Bool {
        guard let probe = service.probe, let result = try? BoundedCommand.run(probe, timeout: timeout) else { return false }
        return result.code == 0
    }

    /// Runs each command; the first unexpected failure stops and is reported with its output.
    static func run(_ commands: [ManagerCommand]) throws {
        for command in commands {
            let result = try BoundedCommand.run(command.argv, timeout: timeout)
            if result.code != 0 && !command.mayFail {
                let detail = (result.stderr + result.stdout).split(separator: "\n").first.map(String.init) ?? (result.timedOut ? "timed out" : "failed")
                throw CommandFailure("\(command.argv.joined(separator: " ")): \(detail)")
            }
        }
    }
}
