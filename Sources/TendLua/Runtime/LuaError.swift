/// A Lua failure as Swift sees it: what went wrong, where (`file:line`), and the Lua
/// traceback. `message` already reads `file.lua:18: …` whenever a location is known.
public struct LuaError: Error, CustomStringConvertible, Sendable, Equatable {
    public enum Kind: String, Sendable, Equatable {
        /// The chunk did not compile.
        case syntax
        /// `error(...)` or a failing operation while running.
        case runtime
        /// The time budget ran out (a runaway loop, a blocking call); `pcall` in the script
        /// cannot catch it.
        case budget
        /// The state's memory cap (or the machine's memory) ran out.
        case memory
        /// The file is not loaded: writable by others, or owned by another user.
        case unsafe
        /// The script ran but returned something of the wrong shape.
        case badReturn
        /// No such script (or file).
        case notFound
    }

    public var kind: Kind
    /// `file:line: message` when the location is known, else just the message.
    public var message: String
    /// Lua's `stack traceback:` text, empty when there is none (syntax errors).
    public var traceback: String
    public var file: String?
    public var line: Int?

    public init(kind: Kind, message: String, traceback: String = "", file: String? = nil, line: Int? = nil) {
        self.kind = kind
        self.message = message
        self.traceback = traceback
        if file == nil, let loc = LuaError.parseLocation(message) {
            self.file = loc.file
            self.line = loc.line
        } else {
            self.file = file
            self.line = line
        }
    }

    /// An error about a script as a whole (bad return value, missing file), placed at
    /// `file:line` (line 1 unless better known) so every problem reads the same way.
    public static func at(_ file: String, line: Int? = nil, kind: Kind, _ text: String) -> LuaError {
        let loc = line.map { "\(file):\($0)" } ?? file
        return LuaError(kind: kind, message: "\(loc): \(text)", file: file, line: line)
    }

    public var description: String { message }

    /// `file:line` or just `file`, or nil.
    public var location: String? {
        guard let file else { return nil }
        return line.map { "\(file):\($0)" } ?? file
    }

    /// Parses the leading `file:line:` of a Lua message (first line only).
    public static func parseLocation(_ text: String) -> (file: String, line: Int)? {
        let firstLine = Array(text.utf8.prefix { $0 != UInt8(ascii: "\n") })
        let colon = UInt8(ascii: ":")
        var i = 0
        while i < firstLine.count {
            if firstLine[i] == colon, i > 0 {
                var j = i + 1
                while j < firstLine.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(firstLine[j]) { j += 1 }
                if j > i + 1, j < firstLine.count, firstLine[j] == colon {
                    let file = String(decoding: firstLine[0..<i], as: UTF8.self)
                    return (file, Int(String(decoding: firstLine[(i + 1)..<j], as: UTF8.self)) ?? 0)
                }
            }
            i += 1
        }
        return nil
    }
}
