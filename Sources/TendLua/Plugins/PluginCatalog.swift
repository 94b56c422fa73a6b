import TendCore

/// A plugin that cannot be run, said in words (`tend run ../x`, an unknown name).
public struct PluginError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// One plugin as `tend plugins` lists it: the file that wins and what it is.
public struct PluginEntry: Sendable, Equatable {
    public var name: String
    public var path: String
    /// The config dir's copy (which shadows a shipped one of the same name).
    public var isUserCopy: Bool
    /// nil when the script does not load or has no plugin shape (see `problem`).
    public var kind: PluginKind?
    public var summary: String?
    public var problem: String?

    public var source: String { isUserCopy ? "user" : "shipped" }
}

/// Plugins on the search path: the config dir's `plugins/` first, then the shipped one.
/// Shared libraries live in `plugins/lib/` and are not plugins.
public enum PluginCatalog {
    /// The file that wins for `name`; refuses paths and names nothing answers to.
    public static func locate(_ name: String, paths: ScriptPaths) throws -> String {
        switch paths.locate(name, kind: .plugin) {
        case .found(let path): return path
        case .refused(let problem): throw PluginError(problem)
        case .missing:
            let available = paths.all(.plugin).map(\.name)
            throw PluginError("unknown plugin '\(name)'; available: \(available.isEmpty ? "none (looked in \(paths.directories(.plugin).joined(separator: ", ")))" : available.joined(separator: ", "))")
        }
    }

    /// Every plugin with its kind and summary; each is loaded (its top level runs, under
    /// the usual 1 s budget) to read them. A broken one is listed with its problem.
    public static func list(paths: ScriptPaths, home: Home) -> [PluginEntry] {
        let all = paths.all(.plugin)
        guard let host = try? LuaHost(home: home, paths: paths, logName: "plugins") else {
            return all.map { PluginEntry(name: $0.name, path: $0.path, isUserCopy: $0.isUserCopy, problem: "cannot start Lua") }
        }
        return all.map { item in
            var entry = PluginEntry(name: item.name, path: item.path, isUserCopy: item.isUserCopy)
            do {
                let script = try host.loadScript(file: item.path, in: .full)
                defer { host.release(script) }
                let info = try PluginShape.inspect(script, vm: host.vm)
                entry.kind = info.kind
                entry.summary = info.summary
            } catch {
                entry.problem = String(describing: error)
            }
            return entry
        }
    }

    /// `check-config`: nil when the plugin loads and has one of the plugin shapes.
    public static func check(_ path: String, host: LuaHost) -> ScriptProblem? {
        ConfigChecker.check(path, in: .full, host: host) { _ = try PluginShape.inspect($0, vm: host.vm) }
    }
}
