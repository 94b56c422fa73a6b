import CLuaShim
import TendCore
import TendSystem

/// How one step of the startup sequence ended.
public struct StepOutcome: Sendable, Equatable {
    public enum Status: String, Sendable, Equatable {
        case ok, warn, fail
    }
    public var index: Int
    public var title: String
    public var status: Status
    public var message: String
    public var durationMs: Double
}

/// The startup sequence (`tend startup`): the steps of `plugins/startup.lua` (a copy in
/// the config dir shadows the shipped one), run in order. Each step returns
/// `"ok" | "warn" | "fail", message`; a step that raises, overruns its budget or returns
/// something else is a failure with `file:line`, and the rest still run.
///
/// Every step gets the same ctx = { home, config_dir, project_dir, state = {} (shared by
/// the steps, e.g. step 7 tells step 8 it started the monitor), args, index, total }.
public final class StartupSequence {
    public static let scriptName = "startup"
    /// Seconds a step may run when it gives no `budget`.
    public static let defaultBudget: Double = 30

    public let host: LuaHost
    public let script: LoadedScript
    public let title: String
    /// Step titles, in order (a malformed step has a placeholder title and fails).
    public let titles: [String]
    private let ctx: LuaRef
    private var log: DaemonLogger { host.context.logger }

    public init(home: Home, paths: ScriptPaths, projectDir: String, args: [String] = []) throws {
        host = try LuaHost(home: home, paths: paths, logName: "startup", budget: Self.defaultBudget)
        let path = try PluginCatalog.locate(Self.scriptName, paths: paths)
        script = try host.loadScript(file: path, in: .full, budget: 5)
        let s = host.vm.stack
        s.push(script.table)
        defer { s.pop() }
        guard s.rawGet(-1, "steps") == LUA_TTABLE else {
            let got = s.typeName(at: -1)
            s.pop()
            host.release(script)
            throw LuaError.at(path, line: SourceLines.lastReturnLine(path), kind: .badReturn,
                              "startup.lua must return { title = \"…\", steps = { { title = \"…\", run = function(ctx) … end }, … } }; 'steps' is \(got)")
        }
        var titles: [String] = []
        for i in stride(from: 1, through: s.rawLength(at: -1), by: 1) {
            s.rawGet(-1, i)
            if s.isTable(at: -1) { s.rawGet(-1, "title"); titles.append(s.string(at: -1) ?? "Step \(i)"); s.pop() }
            else { titles.append("Step \(i)") }
            s.pop()
        }
        s.pop()
        self.titles = titles
        s.rawGet(-1, "title")
        title = s.string(at: -1) ?? "Startup"
        s.pop()

        s.newTable(fields: 7)
        s.setField("home", home.root)
        s.setField("config_dir", paths.configDir)
        s.setField("project_dir", FileSystem.absolute(projectDir))
        s.newTable()
        s.rawSet(-2, "state")
        s.setField("args", JSONValue.array(args.map { .string($0) }))
        s.setField("total", titles.count)
        ctx = s.ref()
    }

    deinit {
        host.vm.release(ctx)
        host.release(script)
    }

    public var path: String { script.path }

    /// Runs every step in order; `willRun(index, title)` before each, `didRun` after.
    public func runAll(willRun: (Int, String) -> Void = { _, _ in }, didRun: (StepOutcome) -> Void = { _ in }) -> [StepOutcome] {
        var outcomes: [StepOutcome] = []
        for i in titles.indices {
            willRun(i + 1, titles[i])
            let outcome = run(step: i + 1)
            outcomes.append(outcome)
            didRun(outcome)
        }
        let (warnings, failures) = StartupReport.counts(outcomes)
        try? log.log(failures > 0 ? .error : (warnings > 0 ? .warning : .info),
                     "startup finished: \(outcomes.count) steps, \(warnings) warning(s), \(failures) failure(s)",
                     fields: ["script": .string(path), "warnings": .int(Int64(warnings)), "failures": .int(Int64(failures))])
        return outcomes
    }

    /// Runs step `index` (1-based) and logs its outcome to the startup log (failures
    /// also reach health.log).
    public func run(step index: Int) -> StepOutcome {
        precondition(titles.indices.contains(index - 1), "no step \(index): the sequence has \(titles.count)")
        let title = titles[index - 1]
        let started = Clock.monotonic()
        var outcome = execute(index, title)
        outcome.durationMs = ((Clock.monotonic() - started) * 10_000).rounded() / 10
        let level: LogLevel = outcome.status == .ok ? .info : (outcome.status == .warn ? .warning : .error)
        try? log.log(level, "[\(index)/\(titles.count)] \(title): \(outcome.status.rawValue.uppercased()) \(outcome.message)",
                     fields: ["step": .int(Int64(index)), "status": .string(outcome.status.rawValue),
                              "duration_ms": .double(outcome.durationMs)])
        return outcome
    }

    private func execute(_ index: Int, _ title: String) -> StepOutcome {
        var outcome = StepOutcome(index: index, title: title, status: .fail, message: "", durationMs: 0)
        let s = host.vm.stack
        // The step's table, checked afresh (steps are data: they can be anything).
        s.push(script.table)
        s.rawGet(-1, "steps")
        s.rawGet(-1, index)
        let problem = StepShape.problem(s, step: s.top)
        var budget = Self.defaultBudget
        if problem == nil { s.rawGet(-1, "budget"); budget = s.number(at: -1) ?? budget; s.pop() }
        s.pop(3)
        if let problem {
            outcome.message = "\(path): step \(index): \(problem)"
            return outcome
        }
        s.push(ctx)
        s.setField("index", index)
        s.pop()
        do {
            let (status, message) = try host.vm.call(budget: budget, results: 2, push: { s in
                pushRun(index)
                s.push(ctx)
                return 1
            }, read: { s, first in (s.string(at: first), s.string(at: first + 1) ?? s.describeNumber(at: first + 1)) })
            guard let parsed = status.flatMap({ StepOutcome.Status(rawValue: $0.lowercased()) }) else {
                pushRun(index)
                let at = s.functionLocation() ?? path
                outcome.message = "\(at): step returned \(status.map { "'\($0)'" } ?? "no status"); expected \"ok\", \"warn\" or \"fail\" and a message"
                return outcome
            }
            outcome.status = parsed
            outcome.message = message ?? (parsed == .ok ? "Done" : "")
        } catch let error as LuaError {
            outcome.message = error.message
            try? log.exception("step \(index) (\(title)) failed: \(error.message)",
                               traceback: error.traceback.isEmpty ? nil : error.traceback, context: "startup")
        } catch {
            outcome.message = "\(path): step \(index): \(error)"
        }
        return outcome
    }

    /// Pushes `steps[index].run`.
    private func pushRun(_ index: Int) {
        let s = host.vm.stack
        s.push(script.table)
        s.rawGet(-1, "steps")
        s.rawGet(-1, index)
        s.rawGet(-1, "run")
        for _ in 0..<3 { tend_lua_remove(s.L, -2) }   // keep only the function
    }
}

extension LuaStack {
    /// A number as text (a step may return a count as its message), else nil.
    func describeNumber(at index: Int32) -> String? {
        number(at: index) == nil ? nil : describeValue(at: index)
    }
}
