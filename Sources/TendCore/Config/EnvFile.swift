import TendSystem

/// An `env_file`: one `KEY=VALUE` a line, the format of systemd's EnvironmentFile and
/// docker's env files.
///
///     # a comment (only at the start of a line)
///     export PATH=/usr/local/bin:/usr/bin     <- `export ` is allowed and ignored
///     GREETING="hello world"                   <- "…": \" \\ \n \t \$ are escapes
///     PATTERN='a\b $c'                         <- '…': taken literally
///     EMPTY=
///
/// Unquoted values are taken as written, spaces around them dropped. A later line for
/// the same key wins. Every bad line is a problem naming `file:line`.
public struct EnvFile: Sendable {
    public struct Problem: Error, Sendable, Equatable, CustomStringConvertible {
        public var file: String
        public var line: Int
        public var message: String
        public var description: String { "\(file):\(line): \(message)" }
    }

    /// The variables in file order (a repeated key keeps its last value, at its first place).
    public private(set) var variables: [(key: String, value: String)] = []
    public private(set) var problems: [Problem] = []

    public var dictionary: [String: String] {
        Dictionary(variables.map { ($0.key, $0.value) }, uniquingKeysWith: { _, last in last })
    }

    /// Parses `text`; `file` names it in problems.
    public init(parsing text: String, file: String) {
        var lineNumber = 0
        // "\r\n" is one Character in Swift: split on it too (files written on Windows).
        for raw in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }) {
            lineNumber += 1
            switch Self.parseLine(raw) {
            case .skip: continue
            case .variable(let key, let value):
                if let i = variables.firstIndex(where: { $0.key == key }) { variables[i].value = value }
                else { variables.append((key, value)) }
            case .bad(let message):
                problems.append(Problem(file: file, line: lineNumber, message: message))
            }
        }
    }

    public enum LoadError: Error, Sendable, Equatable, CustomStringConvertible {
        case missing(String)
        case unreadable(String, detail: String)
        case invalid([Problem])

        public var description: String {
            switch self {
            case .missing(let path): return "\(path): env_file does not exist"
            case .unreadable(let path, let detail): return "\(path): cannot read env_file: \(detail)"
            case .invalid(let problems): return problems.map(\.description).joined(separator: "\n")
            }
        }
    }

    /// Reads and parses the file at `path`; throws `LoadError` when it is missing,
    /// unreadable, or has bad lines (all of them listed).
    public static func load(_ path: String) throws -> EnvFile {
        let text: String?
        do { text = try FileSystem.readTextIfPresent(path) } catch {
            throw LoadError.unreadable(path, detail: String(describing: error))
        }
        guard let text else { throw LoadError.missing(path) }
        let file = EnvFile(parsing: text, file: path)
        if !file.problems.isEmpty { throw LoadError.invalid(file.problems) }
        return file
    }

    // MARK: One line

    enum Line: Equatable {
        case skip
        case variable(String, String)
        case bad(String)
    }

    static func parseLine(_ line: Substring) -> Line {
        var rest = line.trimmingBlanks
        if rest.isEmpty || rest.hasPrefix("#") { return .skip }
        if rest.hasPrefix("export ") { rest = rest.dropFirst("export ".count).trimmingBlanks }
        guard let eq = rest.firstIndex(of: "=") else {
            return .bad("'\(rest)' is not KEY=VALUE")
        }
        let key = rest[..<eq].trimmingBlanks
        guard isName(key) else {
            return .bad("'\(key)' is not a variable name (letters, digits and '_', not starting with a digit)")
        }
        let value = rest[rest.index(after: eq)...].trimmingBlanks
        switch value.first {
        case "\""?: return quoted(value, key: key, escapes: true)
        case "'"?: return quoted(value, key: key, escapes: false)
        default: return .variable(String(key), String(value))
        }
    }

    /// A value in quotes that must end the line.
    private static func quoted(_ value: Substring, key: Substring, escapes: Bool) -> Line {
        let quote = value.first!
        var result = ""
        var index = value.index(after: value.startIndex)
        while index < value.endIndex {
            let c = value[index]
            if c == quote {
                let after = value[value.index(after: index)...]
                return after.isEmpty ? .variable(String(key), result)
                    : .bad("unexpected '\(after)' after the closing \(quote) of \(key)")
            }
            if escapes && c == "\\", value.index(after: index) < value.endIndex {
                index = value.index(after: index)
                switch value[index] {
                case "n": result.append("\n")
                case "t": result.append("\t")
                case "\"", "\\", "$": result.append(value[index])
                default: result.append("\\"); result.append(value[index])
                }
            } else {
                result.append(c)
            }
            index = value.index(after: index)
        }
        return .bad("the value of \(key) opens \(quote) but does not close it on its line (a value is one line)")
    }

    static func isName(_ s: Substring) -> Bool {
        guard let first = s.unicodeScalars.first, !("0"..."9").contains(first) else { return false }
        return s.unicodeScalars.allSatisfy {
            ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || $0 == "_"
        }
    }
}

extension Substring {
    fileprivate var trimmingBlanks: Substring {
        let isBlank: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        guard let start = firstIndex(where: { !isBlank($0) }) else { return self[endIndex...] }
        let end = lastIndex(where: { !isBlank($0) })!
        return self[start...end]
    }
}
