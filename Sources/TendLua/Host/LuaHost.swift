import TendCore
import TendSystem

/// The Lua side of one Tend process role (monitor, CLI, plugin runner): a VM with the
/// `tend` module installed, bound to a home and a script search path. Loads scripts by
/// name; every script runs in its own global table, so nothing leaks between scripts.
public final class LuaHost {
    public let vm: LuaVM
    public let context: TendContext
    public var home: Home { context.home }
    public var paths: ScriptPaths { context.paths }

    /// `logName`: the daemon (or role) `tend.log` writes for. `budget`: seconds a call
    /// into Lua may run (1 s for policies and health checks; 0 = none, for plugins).
    /// `dryRun`: keep `tend.log` records there and change nothing (see `DryRun`).
    public init(home: Home, paths: ScriptPaths, logName: String = "tend", budget: Double = 1,
                dryRun: LogCapture? = nil) throws {
        vm = try LuaVM(budget: budget)
        context = TendContext(home: home, paths: paths, logName: logName, dryRun: dryRun)
        context.vm = vm
        TendAPI.install(into: vm, context: context)
    }

    /// Finds `kind/NAME.lua` on the search path (user's copy first) and loads it.
    public func loadScript(named name: String, kind: ScriptPaths.Kind) throws -> LoadedScript {
        try loadScript(file: try locate(name, kind: kind))
    }

    /// The file that wins for a script name; refuses names that are paths.
    public func locate(_ name: String, kind: ScriptPaths.Kind) throws -> String {
        switch paths.locate(name, kind: kind) {
        case .found(let path): return path
        case .refused(let problem): throw LuaError(kind: .notFound, message: problem)
        case .missing:
            throw LuaError(kind: .notFound, message: "no \(LuaHost.noun(kind)) '\(name)' (looked in \(paths.directories(kind).joined(separator: ", ")))")
        }
    }

    /// Compiles and runs a script file in a fresh environment; it must return a table.
    public func loadScript(file path: String, budget: Double? = nil) throws -> LoadedScript {
        let stamp = FileStamp(path)
        let chunk = try vm.compile(file: path)
        defer { vm.release(chunk) }
        let env = vm.newEnvironment()
        defer { vm.release(env) }
        let result = try vm.run(chunk: chunk, environment: env, budget: budget)
        vm.stack.push(result)
        let type = vm.stack.typeName(at: -1)
        let isTable = vm.stack.isTable(at: -1)
        vm.stack.pop()
        guard isTable else {
            vm.release(result)
            throw LuaError.at(path, line: SourceLines.lastReturnLine(path), kind: .badReturn,
                              "the script must return a table, got \(type == "nil" ? "nothing (nil)" : "a \(type)")")
        }
        return LoadedScript(path: path, table: result, stamp: stamp)
    }

    /// Frees a script's table (its functions stay alive while something else holds them).
    public func release(_ script: LoadedScript) { vm.release(script.table) }

    static func noun(_ kind: ScriptPaths.Kind) -> String {
        switch kind {
        case .plugin: return "plugin"
        case .policy: return "policy"
        case .health: return "health check"
        }
    }
}

/// A loaded script: the table it returned, kept in the Lua registry.
public struct LoadedScript: Equatable {
    public let path: String
    public let table: LuaRef
    /// The file as it was when loaded (to notice edits).
    public let stamp: FileStamp?
}

/// Enough of a file's metadata to notice that it changed: an edit in place changes the
/// mtime or size, a save-by-rename changes the inode.
public struct FileStamp: Equatable, Sendable {
    public let modified: Double
    public let size: Int64
    public let inode: UInt64

    public init?(_ path: String) {
        guard let info = FileSystem.info(path) else { return nil }
        modified = info.modified
        size = info.size
        inode = info.inode
    }
}

/// Lines of a script for messages about the script as a whole.
enum SourceLines {
    /// The line of the last top-level `return`, where a wrong return value comes from.
    static func lastReturnLine(_ path: String) -> Int? {
        guard let text = try? FileSystem.readText(path) else { return nil }
        var found: Int?
        for (i, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated()
        where line.hasPrefix("return") {
            found = i + 1
        }
        return found ?? max(1, text.split(separator: "\n", omittingEmptySubsequences: false).count)
    }
}
