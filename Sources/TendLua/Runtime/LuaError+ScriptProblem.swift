import TendCore

extension ScriptProblem {
    /// From a Lua error whose message starts with its location (else placed in `fallback`).
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
}
