#if os(macOS)
import Darwin

/// macOS side of the seam: there is no tee(2) or splice(2), so a pipe cannot be peeked
/// at nor consumed into a file atomically. `isSupported` is false and `tend __logd`
/// refuses to start; the calls throw ENOSYS.
public enum PipeTap {
    public static let isSupported = false

    public struct Scratch {
        public let read: Int32 = -1
        public let write: Int32 = -1
        public init(size: Int32) throws { throw SystemError("pipe peek", code: ENOSYS) }
    }

    public static func peek(_ pipe: Int32, via scratch: Scratch, into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        throw SystemError("tee", code: ENOSYS)
    }

    public static func consume(_ pipe: Int32, count: Int, intoFile file: Int32, at offset: inout Int64) throws -> Int {
        throw SystemError("splice", code: ENOSYS)
    }

    @discardableResult
    public static func reserve(_ file: Int32, offset: Int64, length: Int64) -> Bool { false }
}
#endif
