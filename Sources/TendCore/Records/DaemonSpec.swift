/// One daemon as the configuration declares it (`daemon "NAME" { … }` in daemons.lua).
public struct DaemonSpec: Sendable, Equatable {
    /// What to run: a program, or a Lua plugin run as `tend run NAME`.
    public enum Run: Sendable, Equatable {
        case command([String])
        case plugin(String)
    }

    /// How a daemon's health is checked. `arguments` are passed to the check (`interval`
    /// and `timeout`, seconds, are read by Tend too).
    public enum Health: Sendable, Equatable {
        /// `policies/health/NAME.lua`.
        case named(String, arguments: [String: JSONValue])
        /// A function written in daemons.lua, kept by the Lua host under this key.
        case inline(key: String, arguments: [String: JSONValue])

        public var arguments: [String: JSONValue] {
            switch self {
            case .named(_, let a), .inline(_, let a): return a
            }
        }
    }

    public var name: String
    public var run: Run
    public var environment: [String: String]
    public var workingDirectory: String?
    /// Seconds between SIGTERM and SIGKILL on stop.
    public var stopTimeout: Double
    public var restart: RestartLimits
    public var health: Health?
    /// The restart policy script's name (`policies/NAME.lua`).
    public var policy: String
    /// Where it was declared, `file:line`, for messages.
    public var declaredAt: String
    /// The program daemonizes itself (forks, the parent exits): the process that remains
    /// is the daemon (systemd's `Type=forking`).
    public var forking: Bool = false
    /// Where such a program writes its PID (implies `forking`).
    public var pidFile: String?
    /// The daemons this one needs (`after = { "db" }`): each must be ready before it
    /// starts. Checked at load: every name is declared, and there is no cycle.
    public var after: [String]
    /// Seconds to wait for the daemons in `after` to be ready before this one is HELD.
    public var readyTimeout: Double
    /// An absolute path of KEY=VALUE lines (`EnvFile`), read when the daemon starts;
    /// `environment` wins over it for a key in both.
    public var envFile: String?
    /// Resource limits set with `setrlimit` before exec.
    public var limits: ResourceLimits

    public static let defaultReadyTimeout: Double = 60

    public init(name: String, run: Run, environment: [String: String] = [:], workingDirectory: String? = nil,
                stopTimeout: Double = 10, restart: RestartLimits = .seed, health: Health? = nil,
                policy: String = "restart", declaredAt: String = "", after: [String] = [],
                readyTimeout: Double = DaemonSpec.defaultReadyTimeout, envFile: String? = nil,
                limits: ResourceLimits = ResourceLimits()) {
        self.name = name
        self.run = run
        self.environment = environment
        self.workingDirectory = workingDirectory
        self.stopTimeout = stopTimeout
        self.restart = restart
        self.health = health
        self.policy = policy
        self.declaredAt = declaredAt
        self.after = after
        self.readyTimeout = readyTimeout
        self.envFile = envFile
        self.limits = limits
    }

    /// Whether a process's command line is this daemon's declared command: its argv (the
    /// program by path or by name), or `tend run NAME` for a plugin. Used for a PID no
    /// identity record vouches for.
    public func isCommandLine(_ commandLine: [String]) -> Bool {
        func sameProgram(_ a: String, _ b: String) -> Bool {
            a == b || a.split(separator: "/").last == b.split(separator: "/").last
        }
        switch run {
        case .command(let argv):
            guard let first = argv.first, commandLine.count == argv.count, let actual = commandLine.first else { return false }
            return sameProgram(actual, first) && Array(commandLine.dropFirst()) == Array(argv.dropFirst())
        case .plugin(let plugin):
            guard commandLine.count >= 3, let actual = commandLine.first else { return false }
            return actual.split(separator: "/").last == "tend" && commandLine[1] == "run" && commandLine[2] == plugin
        }
    }

    /// The argv to spawn, given the path of the `tend` executable (for plugins).
    public func argv(tendExecutable: String) -> [String] {
        switch run {
        case .command(let argv): return argv
        case .plugin(let plugin): return [tendExecutable, "run", plugin]
        }
    }
}

/// Restart limits fed to the restart policy. The seed's: 3 per hour, 60 s apart.
public struct RestartLimits: Sendable, Equatable {
    public var maxPerHour: Int
    public var cooldown: Double

    public init(maxPerHour: Int, cooldown: Double) {
        self.maxPerHour = maxPerHour
        self.cooldown = cooldown
    }

    public static let seed = RestartLimits(maxPerHour: 3, cooldown: 60)
}

/// Daemon names become file names: letters, digits, `-`, `_`, `.`; not starting with `.`.
public enum DaemonName {
    /// The name Tend's own records use (`logs/daemons/tend.log`: the monitor, plugins run
    /// by hand): no daemon may take it.
    public static let reserved = "tend"

    /// Problems of a name used as a daemon's (the rules of `validate`, and not reserved).
    public static func validateForDaemon(_ name: String) -> String? {
        if name == reserved { return "'\(reserved)' is reserved for Tend's own log (logs/daemons/\(reserved).log); choose another daemon name" }
        return validate(name)
    }

    public static func validate(_ name: String) -> String? {
        if name.isEmpty { return "a daemon name cannot be empty" }
        if name.count > 100 { return "daemon name '\(name)' is longer than 100 characters" }
        if name.hasPrefix(".") || name.hasPrefix("-") { return "daemon name '\(name)' cannot start with '\(name.first!)'" }
        let ok = name.unicodeScalars.allSatisfy {
            ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || "-_.".unicodeScalars.contains($0)
        }
        return ok ? nil : "daemon name '\(name)' may hold only letters, digits, '-', '_' and '.'"
    }
}
