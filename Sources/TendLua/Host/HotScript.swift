import TendCore
import TendSystem

/// One named script kept current while the process runs: the file is re-stat'ed on each
/// use (cheap) and reloaded when it changed. A version that fails to load, has the wrong
/// shape, or fails when called is reported once and never replaces the last good version.
final class HotScript {
    let name: String
    let shape: ScriptShape
    private let host: LuaHost   // strong: the host never points back, and release needs it alive
    private let report: ScriptProblemReporter

    /// The version in force.
    private(set) var current: LoadedScript?
    /// The good version before `current`, put back if `current` fails when called.
    private var previous: LoadedScript?
    /// A broken version already reported (path + stamp), so it is not retried each use.
    private var rejected: (path: String, stamp: FileStamp?)?
    /// Why the newest version is not in force (nil when it is).
    private(set) var problem: String?

    /// The file of the version in force, else of the version refused last (nil when no
    /// file was found): what messages and policy-hits.log name.
    var file: String? {
        if let current { return current.path }
        return rejected.flatMap { $0.path.isEmpty ? nil : $0.path }
    }

    /// The files that may hold the script, user's first; and why the name is refused, if it is.
    private let candidates: [String]
    private let nameProblem: String?

    /// `file`: this file and no other stands for the name (an edit tried before it is
    /// saved in place); else the search path decides.
    init(name: String, shape: ScriptShape, host: LuaHost, report: @escaping ScriptProblemReporter, file: String? = nil) {
        self.name = name
        self.shape = shape
        self.host = host
        self.report = report
        if let file {
            nameProblem = nil
            candidates = [FileSystem.absolute(file)]
        } else {
            nameProblem = ScriptPaths.validateName(name, kind: shape.kind)
            candidates = nameProblem == nil ? host.paths.directories(shape.kind).map { "\($0)/\(name).lua" } : []
        }
    }

    deinit {
        if let current { host.release(current) }
        if let previous { host.release(previous) }
    }

    /// Reloads the script if its file changed (or a user copy now shadows it). Runs before
    /// every decision, so it costs one stat per directory searched and nothing else.
    func refresh() {
        if let invalid = nameProblem {
            reject(path: nil, stamp: nil, invalid)
            return
        }
        var found: (path: String, stamp: FileStamp)?
        for path in candidates {
            if let stamp = FileStamp(path) { found = (path, stamp); break }
        }
        guard let (path, stamp) = found else {
            let looked = candidates.count == 1 ? "no such file" : "looked in \(host.paths.directories(shape.kind).joined(separator: ", "))"
            reject(path: nil, stamp: nil, "no \(LuaHost.noun(shape.kind)) '\(name)' (\(looked))")
            return
        }
        if let current, current.path == path, current.stamp == stamp { return }
        if let rejected, rejected.path == path, rejected.stamp == stamp { return }
        do {
            let script = try host.loadScript(file: path)
            if let wrong = shape.problem(in: script, vm: host.vm) {
                host.release(script)
                throw wrong
            }
            if let previous { host.release(previous) }
            previous = current
            current = script
            currentProven = false
            rejected = nil
            problem = nil
        } catch let e as LuaError {
            reject(path: path, stamp: stamp, e.message)
        } catch {
            reject(path: path, stamp: stamp, "\(path): \(error)")
        }
    }

    /// Whether the version in force has succeeded at least once since it was loaded.
    private(set) var currentProven = false

    /// The version in force just succeeded: from now on a failing call is that call's
    /// problem (one daemon's arguments, one slow probe), not a reason to retire it.
    func markSucceeded() { currentProven = true }

    /// A call of the version in force failed. A version that never succeeded (a broken
    /// edit) is retired, the previous good one put back; a proven one stays in force and
    /// only this call fails. Returns true when the caller should try `current` again.
    func callFailed(because message: String) -> Bool {
        guard current != nil else { return false }
        if currentProven {
            report(message)
            return false
        }
        return retireCurrent(because: message)
    }

    /// Reports the version in force, retires it, and puts the previous good version back
    /// (if any). Returns true if one was put back.
    @discardableResult
    private func retireCurrent(because message: String) -> Bool {
        guard let failed = current else { return false }
        rejected = (failed.path, failed.stamp)
        current = previous
        previous = nil
        currentProven = current != nil   // the previous version was in force before: it worked
        host.release(failed)
        problem = message
        report(message + consequence)
        return current != nil
    }

    private func reject(path: String?, stamp: FileStamp?, _ message: String) {
        // A missing script is reported once until it appears (or changes name).
        if let rejected, rejected.path == (path ?? ""), rejected.stamp == stamp, problem == message { return }
        rejected = (path ?? "", stamp)
        problem = message
        report(message + consequence)
    }

    private var consequence: String {
        if let current { return " (keeping the last good version, loaded from \(current.path))" }
        return shape.kind == .policy ? " (using the built-in policy until it is fixed)" : " (no good version loaded yet)"
    }
}
