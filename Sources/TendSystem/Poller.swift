#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One `poll(2)` call over a set of descriptors.
public enum Poller {
    /// Waits until any descriptor is readable (or hung up) or `timeout` seconds pass
    /// (nil: forever). Returns the descriptors that are ready.
    public static func waitReadable(_ fds: [Int32], timeout: Double?) -> [Int32] {
        var pfds = fds.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
        let ms: Int32 = timeout.map { Int32(min(max(0, ($0 * 1000).rounded(.up)), 86_400_000)) } ?? -1
        let n = pfds.withUnsafeMutableBufferPointer { buf in
            poll(buf.baseAddress, nfds_t(buf.count), ms)
        }
        guard n > 0 else { return [] }   // timeout, or EINTR: the caller loops anyway
        return pfds.filter { $0.revents != 0 }.map(\.fd)
    }
}
