/// What starts the monitor at login: one unit file for the platform's service manager
/// (systemd's user manager, launchd's per-user agents), and the commands that load it.
/// Each format is one file (`SystemdUserUnit.swift`, `LaunchdAgent.swift`); `tend
/// service` runs the commands and says what it did.
public protocol LoginService: Sendable {
    /// `systemd` or `launchd`, as the command line names it.
    static var kind: LoginServiceKind { get }
    /// Where the unit file goes.
    var unitPath: String { get }
    /// The unit file's text.
    func render() -> String
    /// A cheap command that succeeds only when the manager answers; nil where this
    /// platform has no such manager (launchd off macOS).
    var probe: [String]? { get }
    /// Run in order after writing the unit, when the manager answers.
    var loadCommands: [ManagerCommand] { get }
    /// Run in order before removing the unit, when the manager answers.
    var unloadCommands: [ManagerCommand] { get }
    /// The one command for the user to run when no manager answered.
    var manualLoadCommand: String { get }
    /// Commands whose first line of output tells the manager's view, each with what it tells.
    var statusCommands: [(label: String, argv: [String])] { get }
}

/// One call of `systemctl` / `launchctl`.
public struct ManagerCommand: Sendable, Equatable {
    public var argv: [String]
    /// A failure is expected at times (unloading what is not loaded) and is no error.
    public var mayFail: Bool

    public init(_ argv: [String], mayFail: Bool = false) {
        self.argv = argv
        self.mayFail = mayFail
    }
}

public enum LoginServiceKind: String, Sendable, CaseIterable {
    case systemd, launchd

    /// The platform's own manager.
    public static var platformDefault: LoginServiceKind {
        #if os(macOS)
        return .launchd
        #else
        return .systemd
        #endif
    }
}

/// The monitor a login service runs: this `tend`, this home, this config dir.
public struct MonitorLaunch: Sendable, Equatable {
    /// The absolute path of the tend executable.
    public var executable: String
    public var home: String
    public var configDir: String
    /// The user's home directory, where per-user unit folders live.
    public var userHome: String
    /// `$XDG_CONFIG_HOME` when set (systemd's user units live under it).
    public var xdgConfigHome: String?
    public var uid: UInt32

    public init(executable: String, home: String, configDir: String, userHome: String, xdgConfigHome: String?, uid: UInt32) {
        self.executable = executable
        self.home = home
        self.configDir = configDir
        self.userHome = userHome
        self.xdgConfigHome = xdgConfigHome
        self.uid = uid
    }

    public var arguments: [String] { [executable, "monitor"] }
    public var environment: [(String, String)] { [("TEND_HOME", home), ("TEND_CONFIG_DIR", configDir)] }

    public func service(_ kind: LoginServiceKind) -> any LoginService {
        switch kind {
        case .systemd: return SystemdUserUnit(launch: self)
        case .launchd: return LaunchdAgent(launch: self)
        }
    }
}
