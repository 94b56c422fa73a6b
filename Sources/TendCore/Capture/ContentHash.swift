/// FNV-1a, 64 bits: a fingerprint of bytes, to check that a file (or a pipe) still holds
/// what a commit record says. Offsets and lengths are checked too; this only has to tell
/// different bytes apart, not resist anyone.
public struct ContentHash: Sendable, Equatable {
    public private(set) var value: UInt64 = 0xcbf2_9ce4_8422_2325

    public init() {}

    public mutating func add<C: Sequence>(_ bytes: C) where C.Element == UInt8 {
        var h = value
        for byte in bytes {
            h ^= UInt64(byte)
            h = h &* 0x0000_0100_0000_01b3
        }
        value = h
    }

    public static func of<C: Sequence>(_ bytes: C) -> UInt64 where C.Element == UInt8 {
        var hash = ContentHash()
        hash.add(bytes)
        return hash.value
    }
}
