/// Any JSON value: log record fields, Lua tables crossing into Swift, health arguments.
public enum JSONValue: Sendable, Equatable, CustomStringConvertible {
    case null
    case bool(Bool)
    case int(Int64)
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    /// Parses JSON text; throws `JSONSyntax.Problem` (line:column) on malformed input.
    public static func parse(_ text: String) throws -> JSONValue {
        try JSONSyntax.parse(text)
    }

    public subscript(key: String) -> JSONValue? {
        if case .object(let o) = self { return o[key] }
        return nil
    }

    public var stringValue: String? { if case .string(let s) = self { return s }; return nil }
    public var doubleValue: Double? {
        switch self {
        case .int(let i): return Double(i)
        case .double(let d): return d
        default: return nil
        }
    }
    public var intValue: Int64? {
        switch self {
        case .int(let i): return i
        case .double(let d) where d == d.rounded() && abs(d) < 9e15: return Int64(d)
        default: return nil
        }
    }
    public var boolValue: Bool? { if case .bool(let b) = self { return b }; return nil }
    public var objectValue: [String: JSONValue]? { if case .object(let o) = self { return o }; return nil }
    public var arrayValue: [JSONValue]? { if case .array(let a) = self { return a }; return nil }

    /// Compact JSON text. Object keys are sorted, except `first` keys which lead in order
    /// (log records read `ts, level, daemon, msg, …`).
    public func serialized(keysFirst first: [String] = []) -> String {
        var out = ""
        write(to: &out, first: first, indent: nil)
        return out
    }

    /// Indented by two spaces a level, keys sorted, `"key" : value` as JSONEncoder writes.
    public func pretty() -> String {
        var out = ""
        write(to: &out, first: [], indent: 0)
        return out
    }

    public var description: String { serialized() }

    /// `indent` nil writes compact text; a number is the current depth of pretty text.
    private func write(to out: inout String, first: [String], indent: Int?) {
        let inner = indent.map { $0 + 1 }
        func newline(_ depth: Int?) {
            if let depth { out += "\n" + String(repeating: "  ", count: depth) }
        }
        switch self {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .int(let i): out += String(i)
        case .double(let d):
            // Whole numbers as integers; any other the shortest digits that parse back to
            // the same Double (Swift's description), so epoch times survive a round trip.
            if d.isNaN || d.isInfinite { out += "null" }
            else if d == d.rounded() && abs(d) < 1e15 { out += String(Int64(d)) }
            else { out += "\(d)" }
        case .string(let s): JSONValue.writeString(s, to: &out)
        case .array(let a):
            out += "["
            for (i, v) in a.enumerated() {
                if i > 0 { out += "," }
                newline(inner)
                v.write(to: &out, first: [], indent: inner)
            }
            if !a.isEmpty { newline(indent) }
            out += "]"
        case .object(let o):
            out += "{"
            let leading = first.filter { o[$0] != nil }
            let rest = o.keys.filter { !leading.contains($0) }.sorted()
            for (i, k) in (leading + rest).enumerated() {
                if i > 0 { out += "," }
                newline(inner)
                JSONValue.writeString(k, to: &out)
                out += indent == nil ? ":" : " : "
                o[k]!.write(to: &out, first: [], indent: inner)
            }
            if !o.isEmpty { newline(indent) }
            out += "}"
        }
    }

    static func writeString(_ s: String, to out: inout String) {
        out += "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        out += "\""
    }
}
