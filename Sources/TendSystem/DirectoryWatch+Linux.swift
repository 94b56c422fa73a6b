#if os(Linux)
import Glibc
import CSystemShim

/// Names appearing in and leaving one directory, from inotify: the descriptor becomes
/// readable when something changed, and the loop that polls it calls `changes()`. When
/// the kernel's queue overflowed, or the directory itself went away (and may come back),
/// the answer is `.rescan`: list the directory again. Linux side of the seam.
public final class DirectoryWatch {
    public let path: String
    private let inotify: Int32
    private var watching = false

    public init(path: String) throws {
        self.path = path
        inotify = tend_inotify_init()
        guard inotify >= 0 else { throw SystemError("inotify_init", path: path) }
        watching = tend_inotify_watch_dir(inotify, path) >= 0
    }

    deinit { close(inotify) }

    /// Readable when changes are waiting.
    public var descriptor: Int32? { inotify }

    /// How often to call `changes()` without a wake-up: never while the directory is
    /// watched; every second while it is missing (to watch it again once it is back).
    public var rescanInterval: Double? { watching ? nil : 1.0 }

    /// What changed since the last call. Never blocks.
    public func changes() -> [Change] {
        var result: [Change] = []
        if !watching {
            watching = tend_inotify_watch_dir(inotify, path) >= 0
            result.append(.rescan)
        }
        var buffer = [UInt8](repeating: 0, count: 16 * 1024)
        while true {
            let n = buffer.withUnsafeMutableBytes { raw in retryingOnInterrupt { read(inotify, raw.baseAddress, raw.count) } }
            if n <= 0 { break }
            buffer.withUnsafeBytes { raw in
                var offset = 0
                // struct inotify_event { int wd; uint32_t mask, cookie, len; char name[]; }
                while offset + 16 <= n {
                    let mask = raw.loadUnaligned(fromByteOffset: offset + 4, as: UInt32.self)
                    let length = Int(raw.loadUnaligned(fromByteOffset: offset + 12, as: UInt32.self))
                    let nameBytes = raw[(offset + 16)..<min(n, offset + 16 + length)].prefix { $0 != 0 }
                    let name = String(decoding: nameBytes, as: UTF8.self)
                    if mask & tend_in_overflow != 0 {
                        result.append(.rescan)
                    } else if mask & tend_in_gone != 0 {
                        watching = false
                        result.append(.rescan)
                    } else if mask & tend_in_added != 0 {
                        result.append(.added(name))
                    } else if mask & tend_in_removed != 0 {
                        result.append(.removed(name))
                    }
                    offset += 16 + length
                }
            }
        }
        return result
    }
}
#endif
