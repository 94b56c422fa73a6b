#if os(Linux)
import Glibc
import CSystemShim

// Linux side of the seam: one inotify descriptor watching each directory.
extension FileWatch {
    /// Unused with inotify (changes wake the wait), kept for the shared code.
    static let pollInterval: Double = 0.15

    static func openPlatformWatch(_ directories: [String]) -> Int32? {
        let fd = tend_inotify_init()
        guard fd >= 0 else { return nil }
        let watched = directories.filter { tend_inotify_watch_files(fd, $0) >= 0 }
        if watched.isEmpty { _ = closeFD(fd); return nil }
        return fd
    }

    /// Reads the pending events away; which file changed does not matter to the caller.
    static func drainEvents(_ fd: Int32) {
        var buffer = [UInt8](repeating: 0, count: 4096)
        while buffer.withUnsafeMutableBytes({ read(fd, $0.baseAddress, $0.count) }) > 0 {}
    }
}
#endif
