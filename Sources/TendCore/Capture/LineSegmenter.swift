/// One record's worth of captured bytes: `start..<end` of the buffer, newline included
/// when `complete`. An incomplete segment is a piece of a line: cut at the length limit,
/// or a line that waited too long for its newline.
public struct LineSegment: Sendable, Equatable {
    public let start: Int
    public let end: Int
    public let complete: Bool

    public init(start: Int, end: Int, complete: Bool) {
        self.start = start
        self.end = end
        self.complete = complete
    }

    /// The bytes this segment takes off the pipe.
    public var length: Int { end - start }
}

/// Cuts a pipe's bytes into segments, the same way every time: a restarted log writer
/// cuts the bytes its predecessor was writing again and must get the same records.
///
/// - A line (up to and with its newline) is one segment; a line longer than `limit` is
///   cut into pieces of at most `limit` bytes (backing off to a UTF-8 character start),
///   the last piece keeping the newline.
/// - Bytes after the last newline (a line still being written) stay in the pipe unless
///   there are more than `limit` of them (cut into pieces as above), or `takeTail` says
///   the line has waited long enough: then the rest becomes one incomplete segment.
///
/// Cutting the bytes of the first segments again, with `takeTail`, gives those segments.
public enum LineSegmenter {
    public static let defaultLimit = 64 * 1024

    public static func split(_ bytes: UnsafeBufferPointer<UInt8>, limit: Int = defaultLimit,
                             takeTail: Bool) -> [LineSegment] {
        let limit = max(4, limit)
        let n = bytes.count
        var segments: [LineSegment] = []
        var pos = 0
        while pos < n {
            if let newline = firstNewline(bytes, from: pos) {
                while newline - pos > limit {
                    let cut = characterStart(bytes, atOrBefore: pos + limit, after: pos)
                    segments.append(LineSegment(start: pos, end: cut, complete: false))
                    pos = cut
                }
                segments.append(LineSegment(start: pos, end: newline + 1, complete: true))
                pos = newline + 1
            } else {
                // More than `limit` bytes: the byte after the cut is visible, so a
                // character is never halved at the edge of what was peeked.
                while n - pos > limit {
                    let cut = characterStart(bytes, atOrBefore: pos + limit, after: pos)
                    segments.append(LineSegment(start: pos, end: cut, complete: false))
                    pos = cut
                }
                if takeTail && pos < n {
                    segments.append(LineSegment(start: pos, end: n, complete: false))
                    pos = n
                }
                break
            }
        }
        return segments
    }

    private static func firstNewline(_ bytes: UnsafeBufferPointer<UInt8>, from pos: Int) -> Int? {
        var i = pos
        while i < bytes.count {
            if bytes[i] == UInt8(ascii: "\n") { return i }
            i += 1
        }
        return nil
    }

    /// `cut`, moved back over UTF-8 continuation bytes (10xxxxxx) so a character is not
    /// halved; never back to `floor` or below (garbage without a character start is cut
    /// where it is).
    private static func characterStart(_ bytes: UnsafeBufferPointer<UInt8>, atOrBefore cut: Int, after floor: Int) -> Int {
        var back = cut
        while back > cut - 4 && back > floor + 1 && bytes[back] & 0xC0 == 0x80 { back -= 1 }
        return bytes[back] & 0xC0 == 0x80 ? cut : back
    }
}
