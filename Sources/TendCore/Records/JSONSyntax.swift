/// Where JSON text first goes wrong, as `line:column: what`. The decoders only say
/// *that* a file is not JSON; a person fixing a hand-written file needs *where*.
public enum JSONSyntax {
    public struct Problem: Error, Equatable, CustomStringConvertible {
        public var line: Int
        public var column: Int
        public var message: String
        public var description: String { "\(line):\(column): \(message)" }
    }

    /// nil when `text` is one well-formed JSON value (white space around it allowed).
    public static func firstProblem(in text: String) -> Problem? {
        var scanner = Scanner(bytes: Array(text.utf8))
        do {
            scanner.skipSpace()
            try scanner.value(depth: 0)
            scanner.skipSpace()
            if scanner.i < scanner.bytes.count { throw scanner.fail("unexpected text after the JSON value") }
            return nil
        } catch let problem as Problem {
            return problem
        } catch {
            return nil
        }
    }

    private struct Scanner {
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

        mutating func value(depth: Int) throws {
            guard depth < 512 else { throw fail("nested too deeply") }
            switch peek {
            case UInt8(ascii: "{")?: try container(close: "}", depth: depth, keyed: true)
            case UInt8(ascii: "[")?: try container(close: "]", depth: depth, keyed: false)
            case UInt8(ascii: "\"")?: try string()
            case UInt8(ascii: "t")?: try literal("true")
            case UInt8(ascii: "f")?: try literal("false")
            case UInt8(ascii: "n")?: try literal("null")
            case let b? where b == UInt8(ascii: "-") || (0x30...0x39).contains(b): try number()
            case nil: throw fail("the text ends where a value was expected")
            default: throw fail("expected a value (a number, a string in double quotes, true, false, null, [ or {)")
            }
        }

        /// `{ "key": value, … }` or `[ value, … ]`.
        mutating func container(close: Character, depth: Int, keyed: Bool) throws {
            let end = UInt8(ascii: close.unicodeScalars.first!)
            i += 1
            skipSpace()
            if peek == end { i += 1; return }
            while true {
                if keyed {
                    guard peek == UInt8(ascii: "\"") else { throw fail("expected a key in double quotes") }
                    try string()
                    skipSpace()
                    guard peek == UInt8(ascii: ":") else { throw fail("expected ':' after the key") }
                    i += 1
                    skipSpace()
                }
                try value(depth: depth + 1)
                skipSpace()
                if peek == end { i += 1; return }
                guard peek == UInt8(ascii: ",") else { throw fail("expected ',' or '\(close)'") }
                i += 1
                skipSpace()
                if peek == end { throw fail("a ',' before '\(close)': remove it") }
            }
        }

        mutating func string() throws {
            i += 1
            while let b = peek {
                i += 1
                if b == UInt8(ascii: "\"") { return }
                if b == UInt8(ascii: "\\") { i += 1 } else if b < 0x20 { i -= 1; throw fail("a line break or control character inside a string") }
            }
            throw fail("a string is not closed (missing \")")
        }

        mutating func literal(_ word: String) throws {
            let w = Array(word.utf8)
            guard i + w.count <= bytes.count, Array(bytes[i..<(i + w.count)]) == w else {
                throw fail("expected a value (a number, a string in double quotes, true, false, null, [ or {)")
            }
            i += w.count
        }

        mutating func number() throws {
            let start = i
            let numeric: (UInt8) -> Bool = { (0x30...0x39).contains($0) || "+-.eE".utf8.contains($0) }
            while let b = peek, numeric(b) { i += 1 }
            let text = String(decoding: bytes[start..<i], as: UTF8.self)
            let digits = text.hasPrefix("-") ? text.dropFirst() : Substring(text)
            let leadingZero = digits.count > 1 && digits.hasPrefix("0") && digits.dropFirst().first?.isNumber == true
            if Double(text) == nil || leadingZero || text.hasPrefix("+") || text.hasPrefix(".") || text.hasSuffix(".") {
                i = start
                throw fail("'\(text)' is not a JSON number")
            }
        }
    }
}
