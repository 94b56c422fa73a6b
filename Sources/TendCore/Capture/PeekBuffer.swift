import TendSystem

/// What every stream of a log writer peeks through, one at a time: a scratch pipe for
/// tee(2) and the buffer its bytes are read into. One for the process keeps the memory
/// (and the pipe buffers charged to the user) the same whatever the number of daemons.
final class PeekBuffer {
    /// Twice the line limit: a line of up to the limit and its newline are seen at once.
    static let capacity = 2 * LineSegmenter.defaultLimit

    let scratch: PipeTap.Scratch
    let bytes: UnsafeMutableRawBufferPointer

    init() throws {
        scratch = try PipeTap.Scratch(size: Int32(PeekBuffer.capacity))
        bytes = .allocate(byteCount: PeekBuffer.capacity, alignment: 16)
    }

    deinit {
        bytes.deallocate()
        closeFD(scratch.read)
        closeFD(scratch.write)
    }

    /// Copies the head of `pipe` (up to `limit` bytes) into `bytes`, leaving it in the
    /// pipe; returns the count.
    func peek(_ pipe: Int32, limit: Int = PeekBuffer.capacity) throws -> Int {
        try PipeTap.peek(pipe, via: scratch, into: UnsafeMutableRawBufferPointer(rebasing: bytes[0..<min(limit, bytes.count)]))
    }

    /// The first `count` peeked bytes.
    func view(_ count: Int) -> UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(start: bytes.baseAddress!.assumingMemoryBound(to: UInt8.self), count: count)
    }
}
