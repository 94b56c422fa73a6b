/// Turns the raw bytes a daemon writes to its pipe into lines. Reads end anywhere —
/// mid-line, mid-UTF-8 sequence — so the partial tail is kept for the next read. A
/// daemon that never writes a newline cannot grow memory without bound: lines longer
/// than `maxLineBytes` are cut into pieces (at a UTF-8 character boundary when one is
/// near). Invalid UTF-8 becomes U+FFFD; a trailing `\r` is dropped.
public struct OutputLineAssembler: Sendable {
    public static let defaultMaxLineBytes = 64 * 1024

    public let maxLineBytes: Int
    private var partial: [UInt8] = []

    public init(maxLineBytes: Int = OutputLineAssembler.defaultMaxLineBytes) {
        self.maxLineBytes = max(4, maxLineBytes)
    }

    /// Bytes held back waiting for their newline.
    public var pendingByteCount: Int { partial.count }

    /// Complete lines (without their newline) found so far.
    public mutating func feed(_ bytes: [UInt8]) -> [String] {
        var lines: [String] = []
        var start = 0
        while let newline = bytes[start...].firstIndex(of: UInt8(ascii: "\n")) {
            partial.append(contentsOf: bytes[start..<newline])
            cutLongPieces(into: &lines)
            lines.append(decode(partial))
            partial.removeAll(keepingCapacity: true)
            start = newline + 1
        }
        partial.append(contentsOf: bytes[start...])
        cutLongPieces(into: &lines)
        return lines
    }

    /// The partial last line, if any (the pipe closed without a final newline).
    public mutating func flush() -> [String] {
        guard !partial.isEmpty else { return [] }
        defer { partial.removeAll() }
        return [decode(partial)]
    }

    /// Emits full-size pieces while the partial line exceeds the limit.
    private mutating func cutLongPieces(into lines: inout [String]) {
        while partial.count > maxLineBytes {
            var cut = maxLineBytes
            // Back up over continuation bytes (10xxxxxx) so a character is not halved.
            var back = cut
            while back > cut - 4 && back > 0 && partial[back] & 0xC0 == 0x80 { back -= 1 }
            if back > 0 && partial[back] & 0xC0 != 0x80 { cut = back }
            lines.append(decode(partial[0..<cut]))
            partial.removeFirst(cut)
        }
    }

    private func decode<C: Collection>(_ bytes: C) -> String where C.Element == UInt8 {
        var text = String(decoding: bytes, as: UTF8.self)
        if text.hasSuffix("\r") { text.removeLast() }
        return text
    }
}
