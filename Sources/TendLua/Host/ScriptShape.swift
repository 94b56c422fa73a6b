import CLuaShim
import TendCore

/// What the table a script returns must hold, per kind of script:
///
///     policies/NAME.lua         { decide = function(daemon, exit, history, now) … end }
///     policies/health/NAME.lua  { check = function(daemon, args) … end, interval = N?, timeout = N? }
///
/// Other keys are allowed (helpers a script keeps beside its entry point). Plugins have
/// shapes of their own (`PluginShape`).
public struct ScriptShape: Sendable {
    public let kind: ScriptPaths.Kind
    public let functions: [String]
    public let numbers: [String]
    public let strings: [String]

    public static let policy = ScriptShape(kind: .policy, functions: ["decide"], numbers: [], strings: [])
    public static let health = ScriptShape(kind: .health, functions: ["check"], numbers: ["interval", "timeout"], strings: [])

    /// nil if the script's table has this shape, else the problem at `file:line`.
    public func problem(in script: LoadedScript, vm: LuaVM) -> LuaError? {
        let s = vm.stack
        s.push(script.table)
        defer { s.pop() }
        var wrong: [String] = []
        for key in functions {
            s.rawGet(-1, key)
            if !s.isFunction(at: -1) { wrong.append("'\(key)' must be a function, got \(s.typeName(at: -1))") }
            s.pop()
        }
        for key in numbers {
            s.rawGet(-1, key)
            if !s.isNil(at: -1) && (s.number(at: -1).map { $0 <= 0 } ?? true) {
                wrong.append("'\(key)' must be a positive number of seconds, got \(s.describeValue(at: -1))")
            }
            s.pop()
        }
        for key in strings {
            s.rawGet(-1, key)
            if !s.isNil(at: -1) && s.string(at: -1) == nil { wrong.append("'\(key)' must be a string, got \(s.typeName(at: -1))") }
            s.pop()
        }
        guard !wrong.isEmpty else { return nil }
        return LuaError.at(script.path, line: SourceLines.lastReturnLine(script.path), kind: .badReturn,
                           "the \(kind.noun) table is wrong: \(wrong.joined(separator: "; "))")
    }
}

extension LuaStack {
    /// A value for messages: strings quoted, numbers printed, others by type.
    func describeValue(at index: Int32) -> String {
        if let str = string(at: index) { return "\"\(str.prefix(40))\"" }
        if isInteger(at: index), let i = integer(at: index) { return String(i) }
        if let d = number(at: index) { return String(d) }
        if let b = bool(at: index) { return b ? "true" : "false" }
        if isNil(at: index) { return "nil" }
        return "a \(typeName(at: index))"
    }
}
