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

    /// From a Lua error whose message already starts with its location.
    public init(_ error: LuaError, file fallback: String) {
        if let loc = LuaError.parseLocation(error.message) {
            let prefix = "\(loc.file):\(loc.line): "
            self.init(file: loc.file, line: loc.line,
                      message: error.message.hasPrefix(prefix) ? String(error.message.dropFirst(prefix.count)) : error.message)
        } else if error.message.hasPrefix("\(fallback): ") {
            self.init(file: fallback, line: nil, message: String(error.message.dropFirst(fallback.count + 2)))
        } else {
            self.init(file: fallback, line: nil, message: error.message)
        }
    }

    public var location: String { line.map { "\(file):\($0)" } ?? file }
    public var description: String { "\(location): \(message)" }
}
