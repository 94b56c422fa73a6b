/// A problem found in a script or in daemons.lua, printed as `file:line: message`.
public struct ScriptProblem: Codable, Sendable, Equatable, CustomStringConvertible {
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
