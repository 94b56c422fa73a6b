/// A systemd user unit, `$XDG_CONFIG_HOME/systemd/user/tend.service`, loaded by
/// `systemctl --user`.
public struct SystemdUserUnit: LoginService {
    public static let kind = LoginServiceKind.systemd
    public static let unitName = "tend.service"

    public let launch: MonitorLaunch

    public var unitPath: String {
        "\(launch.xdgConfigHome.flatMap { $0.isEmpty ? nil : $0 } ?? "\(launch.userHome)/.config")/systemd/user/\(Self.unitName)"
    }

    public func render() -> String {
        """
        # Written by `tend service install`; `tend service uninstall` removes it.
        [Unit]
        Description=Tend: the daemon supervisor's monitor for \(Self.specifiers(launch.home))
        Documentation=man:tend(1)

        [Service]
        Type=simple
        ExecStart=\(launch.arguments.map(Self.quotedArgument).joined(separator: " "))
        \(launch.environment.map { "Environment=\(Self.quoted("\($0.0)=\($0.1)"))" }.joined(separator: "\n"))
        # Only the monitor is stopped with the unit: the daemons run on, and the next
        # monitor adopts them.
        KillMode=process
        Restart=always
        RestartSec=1

        [Install]
        WantedBy=default.target

        """
    }

    public var probe: [String]? { ["systemctl", "--user", "show", "--property=Version"] }

    public var loadCommands: [ManagerCommand] {
        // restart, not start: a reinstalled unit takes effect (the daemons stay up).
        [ManagerCommand(["systemctl", "--user", "daemon-reload"]), ManagerCommand(["systemctl", "--user", "enable", Self.unitName]),
         ManagerCommand(["systemctl", "--user", "restart", Self.unitName])]
    }

    public var unloadCommands: [ManagerCommand] { [ManagerCommand(["systemctl", "--user", "disable", "--now", Self.unitName])] }

    public var manualLoadCommand: String { "systemctl --user enable --now \(Self.unitName)" }

    public var statusCommands: [(label: String, argv: [String])] {
        [("enabled", ["systemctl", "--user", "is-enabled", Self.unitName]), ("active", ["systemctl", "--user", "is-active", Self.unitName])]
    }

    /// `%` starts a specifier in unit files: doubled, it is itself.
    static func specifiers(_ text: String) -> String { text.replacingAll("%", with: "%%") }

    /// A word of ExecStart: as is when plain, else in double quotes with `\` and `"`
    /// escaped; `$` doubled (no variable expansion).
    static func quotedArgument(_ word: String) -> String {
        let plain = !word.isEmpty && word.unicodeScalars.allSatisfy { !" \t\"'\\;".unicodeScalars.contains($0) }
        let escaped = specifiers(word).replacingAll("$", with: "$$")
        return plain ? escaped : quoted(word).replacingAll("$", with: "$$")
    }

    /// A double-quoted value (Environment=, a spaced ExecStart word).
    static func quoted(_ text: String) -> String {
        "\"" + specifiers(text).replacingAll("\\", with: "\\\\").replacingAll("\"", with: "\\\"") + "\""
    }
}

extension String {
    /// Every occurrence of `target` replaced (FoundationEssentials-free).
    func replacingAll(_ target: Character, with replacement: String) -> String {
        var out = ""
        for c in self { if c == target { out += replacement } else { out.append(c) } }
        return out
    }
}
