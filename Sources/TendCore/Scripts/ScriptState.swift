/// A script that has a problem, and what is in force instead: how the script worker
/// reports broken scripts (`docs/design/script-worker.md`), and what status, health and
/// check-config show. JSON: `{"file", "line", "kind", "message", "in_force"}`.
public struct ScriptState: Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable, CaseIterable, JSONCodable {
        case policy, health, config
    }

    /// What answers instead of the broken script.
    public enum InForce: String, Sendable, CaseIterable, JSONCodable {
        /// An older version of the same script (the newest does not load, or failed this call).
        case lastGood = "last_good"
        /// The built-in policy (policies only).
        case fallback
        /// Nothing: a check's result is unknown; daemons.lua's configuration is not taken.
        case none
    }

    public var file: String
    public var line: Int?
    public var kind: Kind
    /// What is wrong, without the location (that is `file` and `line`).
    public var message: String
    public var inForce: InForce

    public init(file: String, line: Int?, kind: Kind, message: String, inForce: InForce) {
        self.file = file
        self.line = line
        self.kind = kind
        self.message = message
        self.inForce = inForce
    }

    public init(_ problem: ScriptProblem, kind: Kind, inForce: InForce) {
        self.init(file: problem.file, line: problem.line, kind: kind, message: problem.message, inForce: inForce)
    }

    /// The problem alone, `file:line: message`.
    public var problem: ScriptProblem { ScriptProblem(file: file, line: line, message: message) }

    /// `file:line: message (in force: the last good version)`
    public var description: String {
        let instead: String
        switch inForce {
        case .lastGood: instead = "the last good version is in force"
        case .fallback: instead = "the built-in policy decides"
        case .none: instead = kind == .health ? "health unknown" : "not in force"
        }
        return "\(problem) (\(instead))"
    }
}

extension ScriptState: JSONCodable {
    public var jsonValue: JSONValue {
        .members(["file": file, "line": line, "kind": kind, "message": message, "in_force": inForce])
    }

    public init(jsonValue: JSONValue) throws {
        let o = try JSONObjectReader(jsonValue)
        self.init(file: try o("file"), line: try o.optional("line"), kind: try o("kind"), message: try o("message"),
                  inForce: try o("in_force"))
    }
}
