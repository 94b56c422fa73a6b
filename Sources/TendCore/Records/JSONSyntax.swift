/// Reading JSON text into a `JSONValue`, saying where it first goes wrong as
/// `line:column: what`: a person fixing a hand-written file needs *where*, and the
/// monitor's answers and the state files are read on hot paths (no Foundation decoder).
public enum JSONSyntax {
    public struct Problem: Error, Equatable, CustomStringConvertible {
        public var line: Int
        public var column: Int
        public var message: String
        public var description: String { "\(line):\(column): \(message)" }
    }

    /// The one JSON value `text` holds (white space around it allowed).
    public static func parse(_ text: String) throws -> JSONValue {
        var parser = Parser(bytes: Array(text.utf8))
        parser.skipSpace()
        let value = try parser.value(depth: 0)
        parser.skipSpace()
        if parser.i < parser.bytes.count { throw parser.fail("unexpected text after the JSON value") }
        return value
    }

    /// nil when `text` is one well-formed JSON value.
    public static func firstProblem(in text: String) -> Problem? {
        do {
            _ = try parse(text)
            return nil
        } catch let problem as Problem {
            return problem
        } catch {
            return nil
        }
    }

    private struct Parser {
        let bytes: [UInt8]
        var i = 0

        init(bytes: [UInt8]) { self.bytes = bytes }

        var peek: UInt8? { i < bytes.count ? bytes[i] : nil }

        func fail(_ message: String) -> Problem {
            var line = 1, column = 1
            for b in bytes[..<min(i, bytes.count)] {
                if b == UInt8(ascii: "\n") { line += 1; column = 1 } else if b & 0xC0 != 0x80 { column += 1 }
            }
            return Problem(line: line, column: column, message: message)
        }

        mutating func skipSpace() {
            while let b = peek, b == 0x20 || b == 0x0A || b == 0x0D || b == 0x09 { i += 1 }
        }

        mutating func value(depth: Int) throws -> JSONValue {
            guard depth < 512 else { throw fail("nested too deeply") }
            switch peek {
            case UInt8(ascii: "{")?: return try object(depth: depth)
            case UInt8(ascii: "[")?: return try array(depth: depth)
            case UInt8(ascii: "\"")?: return .string(try string())
            case UInt8(ascii: "t")?: try literal("true"); return .bool(true)
            case UInt8(ascii: "f")?: try literal("false"); return .bool(false)
            case UInt8(ascii: "n")?: try literal("null"); return .null
            case let b? where b == UInt8(ascii: "-") || (0x30...0x39).contains(b): return try number()
            case nil: throw fail("the text ends where a value was expected")
            default: throw fail("expected a value (a number, a string in double quotes, true, false, null, [ or {)")
            }
        }

        mutating func object(depth: Int) throws -> JSONValue {
            var result: [String: JSONValue] = [:]
            try elements(close: "}") {
                guard $0.peek == UInt8(ascii: "\"") else { throw $0.fail("expected a key in double quotes") }
                let key = try $0.string()
                $0.skipSpace()
                guard $0.peek == UInt8(ascii: ":") else { throw $0.fail("expected ':' after the key") }
                $0.i += 1
                $0.skipSpace()
                result[key] = try $0.value(depth: depth + 1)
            }
            return .object(result)
        }

        mutating func array(depth: Int) throws -> JSONValue {
            var result: [JSONValue] = []
            try elements(close: "]") { result.append(try $0.value(depth: depth + 1)) }
            return .array(result)
        }

        /// `{ … }` or `[ … ]`: the opening bracket is at `i`; `element` reads one entry.
        mutating func elements(close: Character, _ element: (inout Parser) throws -> Void) throws {
            let end = UInt8(ascii: close.unicodeScalars.first!)
            i += 1
            skipSpace()
            if peek == end { i += 1; return }
            while true {
                try element(&self)
                skipSpace()
                if peek == end { i += 1; return }
                guard peek == UInt8(ascii: ",") else { throw fail("expected ',' or '\(close)'") }
                i += 1
                skipSpace()
                if peek == end { throw fail("a ',' before '\(close)': remove it") }
            }
        }

        mutating func string() throws -> String {
            i += 1
            var out: [UInt8] = []
            while let b = peek {
                i += 1
                switch b {
                case UInt8(ascii: "\""): return String(decoding: out, as: UTF8.self)
                case UInt8(ascii: "\\"): try escape(into: &out)
                case 0..<0x20: i -= 1; throw fail("a line break or control character inside a string")
                default: out.append(b)
                }
            }
            throw fail("a string is not closed (missing \")")
        }

        mutating func escape(into out: inout [UInt8]) throws {
            guard let c = peek else { throw fail("a string is not closed (missing \")") }
            i += 1
            switch c {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(c)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                var scalar = try hex4()
                if (0xD800..<0xDC00).contains(scalar), peek == UInt8(ascii: "\\"), i + 1 < bytes.count, bytes[i + 1] == UInt8(ascii: "u") {
                    i += 2
                    let low = try hex4()
                    guard (0xDC00..<0xE000).contains(low) else { throw fail("an unpaired surrogate in \\u escapes") }
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                }
                out.append(contentsOf: Array(String(Unicode.Scalar(scalar).map(Character.init) ?? "\u{FFFD}").utf8))
            default:
                i -= 2   // at the backslash
                throw fail("'\\\(Character(Unicode.Scalar(c)))' is not a JSON escape")
            }
        }

        mutating func hex4() throws -> UInt32 {
            guard i + 4 <= bytes.count, let v = UInt32(String(decoding: bytes[i..<(i + 4)], as: UTF8.self), radix: 16) else {
                throw fail("\\u needs four hex digits")
            }
            i += 4
            return v
        }

        mutating func literal(_ word: String) throws {
            let w = Array(word.utf8)
            guard i + w.count <= bytes.count, bytes[i..<(i + w.count)].elementsEqual(w) else {
                throw fail("expected a value (a number, a string in double quotes, true, false, null, [ or {)")
            }
            i += w.count
        }

        mutating func number() throws -> JSONValue {
            let start = i
            let numeric: (UInt8) -> Bool = { (0x30...0x39).contains($0) || "+-.eE".utf8.contains($0) }
            while let b = peek, numeric(b) { i += 1 }
            let text = String(decoding: bytes[start..<i], as: UTF8.self)
            let digits = text.hasPrefix("-") ? text.dropFirst() : Substring(text)
            let leadingZero = digits.count > 1 && digits.hasPrefix("0") && digits.dropFirst().first?.isNumber == true
            let integral = !text.contains(where: { $0 == "." || $0 == "e" || $0 == "E" })
            guard let double = Double(text), !leadingZero, !text.hasPrefix("+"), !text.hasPrefix("."), !text.hasSuffix(".") else {
                i = start
                throw fail("'\(text)' is not a JSON number")
            }
            if integral, let int = Int64(text) { return .int(int) }
            return .double(double)
        }
    }
}
