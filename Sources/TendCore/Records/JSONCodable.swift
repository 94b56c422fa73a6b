/// A type with one hand-written JSON form: the records Tend keeps on disk (`RecordCoding`)
/// and the script worker's messages (`ScriptWorkerCoding`). Written through `JSONValue`,
/// not Foundation's coders: the monitor and the log writer live as long as the home, and
/// touching JSONEncoder/JSONDecoder costs each of them megabytes of memory.
///
/// Not the `--format json` output convention (`json`, `JSONOutput`): records keep epoch
/// times and the keys they have always had on disk.
public protocol JSONCodable {
    /// This value as JSON. An optional member that is nil is left out.
    var jsonValue: JSONValue { get }
    /// Reads what `jsonValue` writes (an absent optional member, or null, is nil); throws
    /// `JSONCodingError`, which names the key that is missing or of the wrong type.
    init(jsonValue: JSONValue) throws
}

extension JSONCodable {
    /// Parses `text` and decodes it: `JSONSyntax.Problem` (line:column) when it is no JSON,
    /// `JSONCodingError` (the key) when it is not this type's.
    public static func decoded(from text: String) throws -> Self {
        try Self(jsonValue: JSONValue.parse(text))
    }
}

/// JSON that is not what a type reads: which member (`lastExit.cause`, `history[2].timestamp`)
/// and what is wrong with it.
public struct JSONCodingError: Error, Equatable, CustomStringConvertible {
    /// Keys and `[index]` steps from the outermost value in; empty: the value itself.
    public var path: [String]
    public var problem: String

    public init(_ problem: String, path: [String] = []) {
        self.problem = problem
        self.path = path
    }

    /// "expected a string, found 12" (the value shortened when long).
    public static func expected(_ what: String, found value: JSONValue) -> JSONCodingError {
        let text = value.serialized()
        return JSONCodingError("expected \(what), found \(text.count > 60 ? text.prefix(57) + "..." : text)")
    }

    /// The same error, seen from the value that holds this one under `step`.
    func inside(_ step: String) -> JSONCodingError {
        JSONCodingError(problem, path: [step] + path)
    }

    public var keyPath: String {
        path.enumerated().map { $0.offset == 0 || $0.element.hasPrefix("[") ? $0.element : ".\($0.element)" }.joined()
    }

    public var description: String { path.isEmpty ? problem : "key '\(keyPath)': \(problem)" }
}

/// The members of one JSON object being decoded. Each accessor's error names its key.
public struct JSONObjectReader {
    public let members: [String: JSONValue]

    public init(_ value: JSONValue) throws {
        guard let members = value.objectValue else { throw JSONCodingError.expected("an object", found: value) }
        self.members = members
    }

    /// Present and not null.
    public func has(_ key: String) -> Bool {
        members[key].map { $0 != .null } ?? false
    }

    /// A member that must be there.
    public func callAsFunction<T: JSONCodable>(_ key: String) throws -> T {
        guard let value = members[key], value != .null else { throw JSONCodingError("missing", path: [key]) }
        return try Self.decode(value, key)
    }

    /// A member that may be absent (or null): then `fallback`.
    public func callAsFunction<T: JSONCodable>(_ key: String, default fallback: @autoclosure () -> T) throws -> T {
        try optional(key) ?? fallback()
    }

    public func optional<T: JSONCodable>(_ key: String) throws -> T? {
        guard let value = members[key], value != .null else { return nil }
        return try Self.decode(value, key) as T
    }

    /// A member that is an object read by `body` (the enums' `{"case": {…}}` forms).
    public func nested<T>(_ key: String, _ body: (JSONObjectReader) throws -> T) throws -> T {
        guard let value = members[key] else { throw JSONCodingError("missing", path: [key]) }
        do { return try body(JSONObjectReader(value)) } catch let error as JSONCodingError { throw error.inside(key) }
    }

    /// `problem` about the member `key` (a value of the right type that is still wrong).
    public func failure(_ key: String, _ problem: String) -> JSONCodingError {
        JSONCodingError(problem, path: [key])
    }

    private static func decode<T: JSONCodable>(_ value: JSONValue, _ key: String) throws -> T {
        do { return try T(jsonValue: value) } catch let error as JSONCodingError { throw error.inside(key) }
    }
}

extension JSONValue {
    /// An object of the members that have a value: a nil one is left out, as `JSONCodable`
    /// writes optionals.
    public static func members(_ members: [String: (any JSONCodable)?]) -> JSONValue {
        .object(members.compactMapValues { $0?.jsonValue })
    }
}
