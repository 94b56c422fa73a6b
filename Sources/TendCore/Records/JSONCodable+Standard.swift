/// The JSON forms of the standard types the records are made of.

extension JSONValue: JSONCodable {
    public var jsonValue: JSONValue { self }
    public init(jsonValue: JSONValue) { self = jsonValue }
}

extension String: JSONCodable {
    public var jsonValue: JSONValue { .string(self) }
    public init(jsonValue: JSONValue) throws {
        guard let s = jsonValue.stringValue else { throw JSONCodingError.expected("a string", found: jsonValue) }
        self = s
    }
}

extension Bool: JSONCodable {
    public var jsonValue: JSONValue { .bool(self) }
    public init(jsonValue: JSONValue) throws {
        guard let b = jsonValue.boolValue else { throw JSONCodingError.expected("true or false", found: jsonValue) }
        self = b
    }
}

extension Double: JSONCodable {
    /// Read back equal: `JSONValue` writes the shortest text that parses to the same Double.
    public var jsonValue: JSONValue { .double(self) }
    public init(jsonValue: JSONValue) throws {
        guard let d = jsonValue.doubleValue else { throw JSONCodingError.expected("a number", found: jsonValue) }
        self = d
    }
}

/// Whole numbers: written as integers (a UInt64 beyond Int64, which no record holds, as a
/// double), read from any JSON number with no fraction that fits the type.
public protocol JSONInteger: JSONCodable, FixedWidthInteger {}

extension JSONInteger {
    public var jsonValue: JSONValue { Int64(exactly: self).map(JSONValue.int) ?? .double(Double(self)) }
    public init(jsonValue: JSONValue) throws {
        guard let i = jsonValue.intValue, let value = Self(exactly: i) else {
            throw JSONCodingError.expected("a whole number from \(Self.min) to \(Self.max)", found: jsonValue)
        }
        self = value
    }
}

extension Int: JSONInteger {}
extension Int32: JSONInteger {}
extension UInt64: JSONInteger {}

extension Array: JSONCodable where Element: JSONCodable {
    public var jsonValue: JSONValue { .array(map(\.jsonValue)) }
    public init(jsonValue: JSONValue) throws {
        guard let items = jsonValue.arrayValue else { throw JSONCodingError.expected("a list", found: jsonValue) }
        self = try items.enumerated().map { i, item in
            do { return try Element(jsonValue: item) } catch let error as JSONCodingError { throw error.inside("[\(i)]") }
        }
    }
}

extension Dictionary: JSONCodable where Key == String, Value: JSONCodable {
    public var jsonValue: JSONValue { .object(mapValues(\.jsonValue)) }
    public init(jsonValue: JSONValue) throws {
        let members = try JSONObjectReader(jsonValue).members
        self = try Dictionary(uniqueKeysWithValues: members.map { key, value in
            do { return (key, try Value(jsonValue: value)) } catch let error as JSONCodingError { throw error.inside(key) }
        })
    }
}

/// An enum written as its raw string; reading another word names the ones it knows.
extension JSONCodable where Self: RawRepresentable, RawValue == String, Self: CaseIterable {
    public var jsonValue: JSONValue { .string(rawValue) }
    public init(jsonValue: JSONValue) throws {
        let words = Self.allCases.map(\.rawValue).joined(separator: ", ")
        guard let word = jsonValue.stringValue, let value = Self(rawValue: word) else {
            throw JSONCodingError.expected("one of \(words)", found: jsonValue)
        }
        self = value
    }
}
