import CLuaShim
import TendCore

/// A plugin loaded for running (`tend run NAME`): its Lua host, its table and its shape.
/// The host has no default budget: commands run as long as they like, daemons give each
/// tick its own budget.
public final class LoadedPlugin {
    public let name: String
    public let host: LuaHost
    public private(set) var script: LoadedScript
    public private(set) var info: PluginInfo

    /// `logName`: who `tend.log` writes as (`$TEND_DAEMON` when supervised, else the name).
    public init(name: String, paths: ScriptPaths, home: Home, logName: String) throws {
        self.name = name
        let path = try PluginCatalog.locate(name, paths: paths)
        host = try LuaHost(home: home, paths: paths, logName: logName, budget: 0)
        // The top level of a plugin only defines things: a loop there is a mistake.
        script = try host.loadScript(file: path, in: .full, budget: 5)
        do {
            info = try PluginShape.inspect(script, vm: host.vm)
        } catch {
            host.release(script)
            throw error
        }
    }

    deinit { host.release(script) }

    public var path: String { script.path }

    /// What `reloadIfChanged` did.
    enum Reload: Equatable {
        case unchanged
        case reloaded(path: String)
        /// The new version is refused (reported once per version); the old one stays.
        case refused(String)
    }

    /// A refused version (path + stamp), so it is reported once, not at every tick.
    private var refused: (path: String, stamp: FileStamp?)?

    /// Loads the winning file again if it changed since it was loaded (an edit, or a user
    /// copy that now shadows the shipped one). A version that does not load, or is no
    /// longer of the same kind, is refused and the current one stays in force.
    func reloadIfChanged() -> Reload {
        guard let newest = host.paths.find(name, kind: .plugin) else { return .unchanged }
        let stamp = FileStamp(newest)
        if newest == script.path && stamp == script.stamp { return .unchanged }
        if let refused, refused.path == newest, refused.stamp == stamp { return .unchanged }
        do {
            let fresh = try host.loadScript(file: newest, in: .full, budget: 5)
            do {
                let freshInfo = try PluginShape.inspect(fresh, vm: host.vm)
                guard freshInfo.kind == info.kind else {
                    throw PluginShape.problem(fresh, "was a \(info.kind.rawValue) plugin, now a \(freshInfo.kind.rawValue): restart it to change its kind")
                }
                host.release(script)
                script = fresh
                info = freshInfo
                refused = nil
                return .reloaded(path: newest)
            } catch {
                host.release(fresh)
                throw error
            }
        } catch {
            refused = (newest, stamp)
            return .refused("\(error); keeping the version loaded from \(script.path)")
        }
    }

    /// Pushes `script.KEY`.
    func pushField(_ key: String) {
        host.vm.stack.push(script.table)
        host.vm.stack.rawGet(-1, key)
        tend_lua_remove(host.vm.stack.L, -2)
    }
}

