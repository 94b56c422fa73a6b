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
        var out: [UInt8] = []
        write(to: &out, first: first, indent: nil)
        return String(decoding: out, as: UTF8.self)
    }

    /// Indented by two spaces a level, keys sorted, `"key" : value` as JSONEncoder writes.
    public func pretty() -> String {
        var out: [UInt8] = []
        write(to: &out, first: [], indent: 0)
        return String(decoding: out, as: UTF8.self)
    }

    public var description: String { serialized() }

    /// `indent` nil writes compact text; a number is the current depth of pretty text.
    /// Bytes, not a String: status of 200 daemons is written (and read) on every call, and
    /// appending to a String cost most of that.
    private func write(to out: inout [UInt8], first: [String], indent: Int?) {
        let inner = indent.map { $0 + 1 }
        func newline(_ depth: Int?) {
            guard let depth else { return }
            out.append(UInt8(ascii: "\n"))
            out.append(contentsOf: repeatElement(UInt8(ascii: " "), count: 2 * depth))
        }
        switch self {
        case .null: out += "null".utf8
        case .bool(let b): out += (b ? "true" : "false").utf8
        case .int(let i): out += String(i).utf8
        case .double(let d):
            // Whole numbers as integers; any other the shortest digits that parse back to
            // the same Double (Swift's description), so epoch times survive a round trip.
            if d.isNaN || d.isInfinite { out += "null".utf8 }
            else if d == d.rounded() && abs(d) < 1e15 { out += String(Int64(d)).utf8 }
            else { out += d.description.utf8 }
        case .string(let s): JSONValue.appendString(s, to: &out)
        case .array(let a):
            out.append(UInt8(ascii: "["))
            for (i, v) in a.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                newline(inner)
                v.write(to: &out, first: [], indent: inner)
            }
            if !a.isEmpty { newline(indent) }
            out.append(UInt8(ascii: "]"))
        case .object(let o):
            out.append(UInt8(ascii: "{"))
            let leading = first.filter { o[$0] != nil }
            let rest = o.filter { !leading.contains($0.key) }.sorted { $0.key < $1.key }
            let pairs = leading.map { ($0, o[$0]!) } + rest.map { ($0.key, $0.value) }
            for (i, (k, v)) in pairs.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                newline(inner)
                JSONValue.appendString(k, to: &out)
                out += (indent == nil ? ":" : " : ").utf8
                v.write(to: &out, first: [], indent: inner)
            }
            if !o.isEmpty { newline(indent) }
            out.append(UInt8(ascii: "}"))
        }
    }

    /// A JSON string literal of `s`: quotes, backslashes and control characters escaped,
    /// every other character as it is (UTF-8 passes through).
    public static func appendString(_ s: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for byte in s.utf8 {
            switch byte {
            case UInt8(ascii: "\""): out += [UInt8(ascii: "\\"), UInt8(ascii: "\"")]
            case UInt8(ascii: "\\"): out += [UInt8(ascii: "\\"), UInt8(ascii: "\\")]
            case UInt8(ascii: "\n"): out += [UInt8(ascii: "\\"), UInt8(ascii: "n")]
            case UInt8(ascii: "\r"): out += [UInt8(ascii: "\\"), UInt8(ascii: "r")]
            case UInt8(ascii: "\t"): out += [UInt8(ascii: "\\"), UInt8(ascii: "t")]
            case 0..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                out += [UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"),
                        hex[Int(byte >> 4)], hex[Int(byte & 0xF)]]
            default: out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }
}
