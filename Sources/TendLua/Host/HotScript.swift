import TendCore
import TendSystem

/// One named script (a policy or a health check) kept current while the process runs:
/// the file is re-stat'ed on each use (cheap) and reloaded when it changed. A version that
/// fails to load or has the wrong shape is reported once and never replaces the version
/// in force; a version that fails when called stays in force (the caller decides what
/// answers that one call: a policy's last good version, a check's "unknown"), so a script
/// that fails once is simply called again next time.
final class HotScript {
    let name: String
    let shape: ScriptShape
    private let host: LuaHost   // strong: the host never points back, and release needs it alive
    private let report: ScriptProblemReporter

    /// The newest version that loaded: the one in force.
    private(set) var current: LoadedScript?
    /// The newest version that succeeded when called (`current`, or one before it): what
    /// a policy falls back on when `current` fails.
    private(set) var lastGood: LoadedScript?
    /// Why the newest file is not in force (it does not load, is refused, or is missing);
    /// nil when `current` is the newest.
    private(set) var problem: ScriptProblem?
    /// The file version behind `problem` (path + stamp), so it is not retried each use.
    private var rejected: (path: String, stamp: FileStamp?)?

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
        if let lastGood, lastGood != current { host.release(lastGood) }
    }

    /// `current` just succeeded: it is the last good version now.
    func markSucceeded() {
        guard let current, current != lastGood else { return }
        if let lastGood { host.release(lastGood) }
        lastGood = current
    }

    /// Where the script would be for messages about a missing one: the user's copy.
    var expectedPath: String { candidates.first ?? name }

    /// Reloads the script if its file changed (or a user copy now shadows it): one stat per
    /// directory searched when nothing changed. `budget`: seconds its top level may run.
    func refresh(budget: Double? = nil) {
        if let invalid = nameProblem {
            return reject(path: nil, stamp: nil, ScriptProblem(file: name, line: nil, message: invalid))
        }
        var found: (path: String, stamp: FileStamp)?
        for path in candidates {
            if let stamp = FileStamp(path) { found = (path, stamp); break }
        }
        guard let (path, stamp) = found else {
            // A pinned file (`policy simulate --policy FILE`) has one candidate: say that file is missing.
            let message = candidates.count == 1 ? "no \(shape.kind.noun) '\(name)' (no such file)" : host.paths.notFound(name, kind: shape.kind)
            return reject(path: nil, stamp: nil, ScriptProblem(file: expectedPath, line: nil, message: message))
        }
        if let current, current.path == path, current.stamp == stamp { return }
        if let rejected, rejected.path == path, rejected.stamp == stamp { return }
        do {
            let script = try host.loadScript(file: path, in: .sandbox, budget: budget)
            if let wrong = shape.problem(in: script, vm: host.vm) {
                host.release(script)
                throw wrong
            }
            if let current, current != lastGood { host.release(current) }
            current = script
            rejected = nil
            problem = nil
        } catch let e as LuaError {
            reject(path: path, stamp: stamp, ScriptProblem(e, file: path))
        } catch {
            reject(path: path, stamp: stamp, ScriptProblem(file: path, line: nil, message: String(describing: error)))
        }
    }

    private func reject(path: String?, stamp: FileStamp?, _ why: ScriptProblem) {
        // Reported once until the file (or the message, for a missing one) changes.
        if let rejected, rejected.path == (path ?? ""), rejected.stamp == stamp, problem == why { return }
        rejected = (path ?? "", stamp)
        problem = why
        report(why.description + consequence)
    }

    /// What happens while the newest version is not in force.
    var consequence: String {
        if let current { return " (keeping the last good version, loaded from \(current.path))" }
        return shape.kind == .policy ? " (using the built-in policy until it is fixed)" : " (no good version loaded yet)"
    }
}
