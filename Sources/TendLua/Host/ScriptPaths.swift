import TendCore
import TendSystem

/// Where Lua scripts are found. First hit wins:
///   1. the user's config dir (`--config-dir`, `$TEND_CONFIG_DIR`, `$XDG_CONFIG_HOME/tend`, `~/.config/tend`)
///   2. the scripts shipped with Tend (`$TEND_SHARE_DIR`; `share/tend` beside an installed
///      binary; the checkout's top level when run from `.build/…`).
/// Both have the same layout: `daemons.lua` (the shipped one is `config/daemons.lua`),
/// `plugins/NAME.lua`, `plugins/lib/NAME.lua`, `policies/NAME.lua`, `policies/health/NAME.lua`.
public struct ScriptPaths: Sendable, Equatable {
    public let configDir: String
    public let shippedDir: String?

    public init(configDir: String, shippedDir: String?) {
        self.configDir = FileSystem.absolute(configDir)
        self.shippedDir = shippedDir.map(FileSystem.absolute)
    }

    public static func resolve(explicitConfigDir: String?, environment: Environment = .current,
                               executable: String = FileSystem.executablePath()) -> ScriptPaths {
        let config: String
        if let c = explicitConfigDir, !c.isEmpty { config = c }
        else if let c = environment["TEND_CONFIG_DIR"], !c.isEmpty { config = c }
        else if let x = environment["XDG_CONFIG_HOME"], !x.isEmpty { config = "\(x)/tend" }
        else { config = "\(Home.userHome(environment))/.config/tend" }
        return ScriptPaths(configDir: config, shippedDir: findShipped(environment: environment, executable: executable))
    }

    static func findShipped(environment: Environment, executable: String) -> String? {
        if let s = environment["TEND_SHARE_DIR"], !s.isEmpty { return s }
        let binDir = FileSystem.parentDirectory(of: executable)
        let installed = "\(FileSystem.parentDirectory(of: binDir))/share/tend"
        if FileSystem.isDirectory("\(installed)/policies") { return installed }
        // Run from a checkout: walk up from .build/<triple>/debug to the package root.
        var dir = binDir
        for _ in 0..<6 {
            if FileSystem.exists("\(dir)/Package.swift") && FileSystem.isDirectory("\(dir)/policies") { return dir }
            let up = FileSystem.parentDirectory(of: dir)
            if up == dir { break }
            dir = up
        }
        return nil
    }

    public enum Kind: String, Sendable {
        case plugin = "plugins"
        /// Shared code of plugins and scripts, loaded with `tend.require(NAME)`.
        case library = "plugins/lib"
        case policy = "policies"
        case health = "policies/health"

        /// "plugin", "library", "policy", "health check": for messages.
        public var noun: String {
            switch self {
            case .plugin: return "plugin"
            case .library: return "library"
            case .policy: return "policy"
            case .health: return "health check"
            }
        }
    }

    /// Refuses anything that is not a plain name: `../x`, `/etc/x`, `a/../../b`, `.hidden`.
    public static func validateName(_ name: String, kind: Kind) -> String? {
        let what = kind.noun
        if name.isEmpty { return "a \(what) name cannot be empty" }
        if name.contains("/") || name.contains("\\") || name.hasPrefix(".") || name.contains("\0") {
            return "'\(name)' is not a \(what) name: give a name like '\(kind == .library ? "memory" : "restart")', not a path"
        }
        return DaemonName.validate(name).map { _ in "'\(name)' is not a valid \(what) name (letters, digits, '-', '_', '.')" }
    }

    /// The directories searched for `kind`, user's first.
    public func directories(_ kind: Kind) -> [String] {
        ["\(configDir)/\(kind.rawValue)"] + (shippedDir.map { ["\($0)/\(kind.rawValue)"] } ?? [])
    }

    public enum Located: Equatable, Sendable {
        case found(String)
        /// Not a name (a path): the message says why.
        case refused(String)
        case missing
    }

    /// Validates `name` and finds the file that wins for it: the one lookup every kind of
    /// script goes through.
    public func locate(_ name: String, kind: Kind) -> Located {
        if let problem = Self.validateName(name, kind: kind) { return .refused(problem) }
        return find(name, kind: kind).map(Located.found) ?? .missing
    }

    /// "no policy 'x' (looked in A, B)": what a missing script's messages say.
    public func notFound(_ name: String, kind: Kind) -> String {
        "no \(kind.noun) '\(name)' (looked in \(directories(kind).joined(separator: ", ")))"
    }

    /// The file that wins for `name`, or nil when none exists.
    public func find(_ name: String, kind: Kind) -> String? {
        directories(kind).map { "\($0)/\(name).lua" }.first(where: FileSystem.exists)
    }

    /// Every script name of `kind` with the file that wins and whether it is the user's.
    public func all(_ kind: Kind) -> [(name: String, path: String, isUserCopy: Bool)] {
        var seen = Set<String>()
        var result: [(String, String, Bool)] = []
        for (i, dir) in directories(kind).enumerated() {
            for file in (try? FileSystem.list(dir)) ?? [] where file.hasSuffix(".lua") {
                let name = String(file.dropLast(4))
                if seen.insert(name).inserted { result.append((name, "\(dir)/\(file)", i == 0)) }
            }
        }
        return result.sorted { $0.0 < $1.0 }
    }

    /// The daemon configuration in force: the user's `daemons.lua`, else the shipped default.
    public var daemonsFile: String? {
        let user = "\(configDir)/daemons.lua"
        if FileSystem.exists(user) { return user }
        if let s = shippedDir, FileSystem.exists("\(s)/config/daemons.lua") { return "\(s)/config/daemons.lua" }
        return nil
    }
}
