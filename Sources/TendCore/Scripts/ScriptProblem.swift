/// A problem found in a script or in daemons.lua, printed as `file:line: message`.
public struct ScriptProblem: Sendable, Equatable, CustomStringConvertible {
    public var file: String
    public var line: Int?
    public var message: String

    public init(file: String, line: Int?, message: String) {
        self.file = file
        self.line = line
        self.message = message
    }

    public var location: String { line.map { "\(file):\($0)" } ?? file }
    public var description: String { "\(location): \(message)" }
}

extension ScriptProblem: JSONCodable {
    public var jsonValue: JSONValue {
        .members(["file": file, "line": line, "message": message])
    }

    public init(jsonValue: JSONValue) throws {
        let o = try JSONObjectReader(jsonValue)
        self.init(file: try o("file"), line: try o.optional("line"), message: try o("message"))
    }
}
