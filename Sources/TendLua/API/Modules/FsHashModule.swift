import TendSystem

/// `tend.fs.hash`: a content hash for "did this file change?" (session auto-save), done
/// in Swift because hashing bytes in Lua is slow and awkward. FNV-1a (64-bit) is enough:
/// it detects changes; it is not meant to resist someone forging collisions.
enum FsHashModule {
    static let functions: [HostFunctionSpec] = [
        HostFunctionSpec("tend.fs", "hash", params: ["path: string"], returns: ["string?", "string?"],
                         returnDoc: "16 hex digits, or nil and an error message",
                         doc: "A content hash of the file (FNV-1a, 64-bit): equal contents give equal hashes. For change detection, not security.") { _ in
            { call in
                let path = try call.string(1)
                return try call.attempt { call.stack.push(hex(fnv1a(try FileSystem.readBytes(path)))) }
            }
        },
    ]

    static func fnv1a(_ bytes: [UInt8]) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in bytes {
            h ^= UInt64(b)
            h = h &* 0x0000_0100_0000_01b3
        }
        return h
    }

    static func hex(_ v: UInt64) -> String {
        let digits = String(v, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}
