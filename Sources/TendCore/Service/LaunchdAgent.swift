/// A launchd agent, `~/Library/LaunchAgents/dev.tend.monitor.plist`, loaded with
/// `launchctl bootstrap gui/UID` (macOS only; elsewhere the file is written, not loaded).
public struct LaunchdAgent: LoginService {
    public static let kind = LoginServiceKind.launchd
    public static let label = "dev.tend.monitor"

    public let launch: MonitorLaunch

    public var unitPath: String { "\(launch.userHome)/Library/LaunchAgents/\(Self.label).plist" }

    /// The monitor's own output: where a detached monitor writes it too.
    var logPath: String { "\(launch.home)/logs/monitor.log" }

    public func render() -> String {
        func string(_ s: String) -> String { "<string>\(Self.escaped(s))</string>" }
        let arguments = launch.arguments.map { "        \(string($0))" }.joined(separator: "\n")
        let environment = launch.environment.map { "        <key>\(Self.escaped($0.0))</key>\n        \(string($0.1))" }
            .joined(separator: "\n")
        return """
            <?xml version="1.0" encoding="UTF-8"?>
            <!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
            <!-- Written by `tend service install`; `tend service uninstall` removes it. -->
            <plist version="1.0">
            <dict>
                <key>Label</key>
                \(string(Self.label))
                <key>ProgramArguments</key>
                <array>
            \(arguments)
                </array>
                <key>EnvironmentVariables</key>
                <dict>
            \(environment)
                </dict>
                <key>RunAtLoad</key>
                <true/>
                <key>KeepAlive</key>
                <true/>
                <!-- Only the monitor ends with the job: the daemons run on, the next monitor adopts them. -->
                <key>AbandonProcessGroup</key>
                <true/>
                <key>StandardOutPath</key>
                \(string(logPath))
                <key>StandardErrorPath</key>
                \(string(logPath))
            </dict>
            </plist>

            """
    }

    private var domain: String { "gui/\(launch.uid)" }

    public var probe: [String]? {
        #if os(macOS)
        return ["launchctl", "print", domain]
        #else
        return nil
        #endif
    }

    public var loadCommands: [ManagerCommand] {
        // bootout first (it fails when nothing is loaded), so a reinstall takes effect.
        [ManagerCommand(["launchctl", "bootout", "\(domain)/\(Self.label)"], mayFail: true),
         ManagerCommand(["launchctl", "bootstrap", domain, unitPath])]
    }

    public var unloadCommands: [ManagerCommand] { [ManagerCommand(["launchctl", "bootout", "\(domain)/\(Self.label)"], mayFail: true)] }

    public var manualLoadCommand: String { "launchctl bootstrap \(domain) \(unitPath)" }

    public var statusCommands: [(label: String, argv: [String])] { [("launchd", ["launchctl", "print", "\(domain)/\(Self.label)"])] }

    static func escaped(_ text: String) -> String {
        text.replacingAll("&", with: "&amp;").replacingAll("<", with: "&lt;").replacingAll(">", with: "&gt;")
    }
}
