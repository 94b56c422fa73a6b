import CLuaShim
import TendCore

/// The shapes a script in `plugins/` may return (a hook is active when the table defines
/// a function of that name, as in wrk):
///
///     { summary = "…", run = function(args) … return code end }                 a command
///     { summary = "…", interval = s, tick = function(ctx) … end,
///       setup = function(ctx) … end?, budget = s? }                           a daemon
///     { title = "…", steps = { { title = "…", run = function(ctx) … end,
///       budget = s? }, … } }                                                 a sequence (startup.lua)
public enum PluginKind: String, Sendable {
    case command, daemon, sequence
}

/// What the host needs to know of a plugin before running it.
public struct PluginInfo: Sendable, Equatable {
    public var kind: PluginKind
    public var summary: String?
    /// Daemons: seconds between ticks, as the plugin asks.
    public var interval: Double?
    /// Daemons: seconds a tick (or setup) may run.
    public var budget: Double?
}

public enum PluginShape {
    /// Reads the kind and checks the table; throws a `LuaError` placed at the script's
    /// `return` line naming everything that is wrong.
    public static func inspect(_ script: LoadedScript, vm: LuaVM) throws -> PluginInfo {
        let s = vm.stack
        s.push(script.table)
        defer { s.pop() }
        let table = s.top
        var wrong: [String] = []
        func field(_ key: String) -> Int32 { s.rawGet(table, key) }

        let hasRun = field("run") != LUA_TNIL; s.pop()
        let hasTick = field("tick") != LUA_TNIL; s.pop()
        let hasSteps = field("steps") != LUA_TNIL; s.pop()
        let kind: PluginKind
        switch (hasRun, hasTick, hasSteps) {
        case (true, false, false): kind = .command
        case (false, true, false): kind = .daemon
        case (false, false, true): kind = .sequence
        case (false, false, false):
            throw problem(script, "a plugin returns { run = function(args) … end } (a command), { tick = function(ctx) … end, interval = s } (a daemon) or { steps = { … } } (a sequence); this table has \(describeKeys(s, table))")
        default:
            throw problem(script, "a plugin has exactly one of 'run' (a command), 'tick' (a daemon) or 'steps' (a sequence); this one has \([hasRun ? "run" : nil, hasTick ? "tick" : nil, hasSteps ? "steps" : nil].compactMap { $0 }.joined(separator: " and "))")
        }

        var info = PluginInfo(kind: kind)
        if field("summary") != LUA_TNIL {
            if let text = s.string(at: -1) { info.summary = text } else { wrong.append("'summary' must be a string, got \(s.typeName(at: -1))") }
        }
        s.pop()
        switch kind {
        case .command:
            expectFunction(s, table, "run", &wrong)
        case .daemon:
            expectFunction(s, table, "tick", &wrong)
            if field("setup") != LUA_TNIL && !s.isFunction(at: -1) { wrong.append("'setup' must be a function, got \(s.typeName(at: -1))") }
            s.pop()
            info.interval = seconds(s, table, "interval", &wrong)
            info.budget = seconds(s, table, "budget", &wrong)
        case .sequence:
            if field("title") != LUA_TNIL && s.string(at: -1) == nil { wrong.append("'title' must be a string, got \(s.typeName(at: -1))") }
            s.pop()
            if field("steps") == LUA_TTABLE {
                wrong += StepShape.problems(s, steps: s.top)
            } else {
                wrong.append("'steps' must be a table of steps, got \(s.typeName(at: -1))")
            }
            s.pop()
        }
        guard wrong.isEmpty else { throw problem(script, "the \(kind.rawValue) plugin table is wrong: \(wrong.joined(separator: "; "))") }
        return info
    }

    private static func expectFunction(_ s: LuaStack, _ table: Int32, _ key: String, _ wrong: inout [String]) {
        s.rawGet(table, key)
        if !s.isFunction(at: -1) { wrong.append("'\(key)' must be a function, got \(s.typeName(at: -1))") }
        s.pop()
    }

    /// An optional positive number of seconds.
    private static func seconds(_ s: LuaStack, _ table: Int32, _ key: String, _ wrong: inout [String]) -> Double? {
        s.rawGet(table, key)
        defer { s.pop() }
        if s.isNil(at: -1) { return nil }
        guard let v = s.number(at: -1), v > 0 else {
            wrong.append("'\(key)' must be a positive number of seconds, got \(s.describeValue(at: -1))")
            return nil
        }
        return v
    }

    private static func describeKeys(_ s: LuaStack, _ table: Int32) -> String {
        let keys = s.keys(table).sorted()
        return keys.isEmpty ? "no keys" : "keys \(keys.joined(separator: ", "))"
    }

    static func problem(_ script: LoadedScript, _ text: String) -> LuaError {
        LuaError.at(script.path, line: SourceLines.lastReturnLine(script.path), kind: .badReturn, text)
    }
}

/// The steps of a sequence: each `{ title = "…", run = function(ctx) … end, budget = s? }`.
enum StepShape {
    /// Problems of the steps table at `steps` (empty when every step is well formed).
    static func problems(_ s: LuaStack, steps: Int32) -> [String] {
        var wrong: [String] = []
        let count = s.rawLength(at: steps)
        if count == 0 { wrong.append("'steps' is empty (give at least one { title = …, run = function(ctx) … end })") }
        for i in stride(from: 1, through: count, by: 1) {
            s.rawGet(steps, i)
            defer { s.pop() }
            if let problem = problem(s, step: s.top) { wrong.append("step \(i): \(problem)") }
        }
        return wrong
    }

    /// What is wrong with the step table at `index`, or nil.
    static func problem(_ s: LuaStack, step index: Int32) -> String? {
        guard s.isTable(at: index) else { return "must be a table { title = …, run = function(ctx) … end }, got \(s.typeName(at: index))" }
        var wrong: [String] = []
        s.rawGet(index, "title")
        if s.string(at: -1) == nil { wrong.append("'title' must be a string, got \(s.typeName(at: -1))") }
        s.pop()
        s.rawGet(index, "run")
        if !s.isFunction(at: -1) { wrong.append("'run' must be a function, got \(s.typeName(at: -1))") }
        s.pop()
        s.rawGet(index, "budget")
        if !s.isNil(at: -1) && (s.number(at: -1).map { $0 <= 0 } ?? true) {
            wrong.append("'budget' must be a positive number of seconds, got \(s.describeValue(at: -1))")
        }
        s.pop()
        return wrong.isEmpty ? nil : wrong.joined(separator: ", ")
    }
}
