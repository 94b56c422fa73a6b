#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CSystemShim

/// "Does host:port accept a TCP connection?" — a non-blocking connect bounded by a
/// timeout, over every address the name resolves to (IPv4 and IPv6). The timeout covers
/// name resolution too: a resolver that hangs does not hold the caller past it.
public enum TCPProbe {
    public struct Failure: Error, Sendable {
        public var message: String
    }

    public static func connect(host: String, port: Int, timeout: Double) -> Result<Void, Failure> {
        let deadline = Clock.monotonic() + max(0, timeout)
        #if os(Linux)
        let stream = Int32(SOCK_STREAM.rawValue)
        #else
        let stream = SOCK_STREAM
        #endif
        var list: UnsafeMutablePointer<addrinfo>?
        let rc = tend_getaddrinfo_timed(host, String(port), stream, Int32(min(max(0, timeout) * 1000, 86_400_000).rounded(.up)), &list)
        if rc == -1 { return .failure(Failure(message: "timed out resolving \(host)")) }
        guard rc == 0, let first = list else {
            return .failure(Failure(message: "cannot resolve \(host): \(String(cString: gai_strerror(rc)))"))
        }
        defer { freeaddrinfo(first) }
        var lastError = "no address for \(host)"
        var node: UnsafeMutablePointer<addrinfo>? = first
        while let ai = node {
            node = ai.pointee.ai_next
            let left = deadline - Clock.monotonic()
            if left <= 0 { return .failure(Failure(message: "timed out connecting to \(host):\(port)")) }
            switch attempt(ai.pointee, timeout: left) {
            case nil: return .success(())
            case let why?: lastError = "\(host):\(port): \(why)"
            }
        }
        return .failure(Failure(message: lastError))
    }

    /// One address: nil on success, else why not.
    private static func attempt(_ ai: addrinfo, timeout: Double) -> String? {
        let fd = socket(ai.ai_family, ai.ai_socktype, ai.ai_protocol)
        guard fd >= 0 else { return String(cString: strerror(errno)) }
        defer { close(fd) }
        _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        #if os(Linux)
        let rc = Glibc.connect(fd, ai.ai_addr, ai.ai_addrlen)
        #else
        let rc = Darwin.connect(fd, ai.ai_addr, ai.ai_addrlen)
        #endif
        if rc == 0 { return nil }
        guard errno == EINPROGRESS || errno == EINTR else { return String(cString: strerror(errno)) }
        let end = Clock.monotonic() + timeout
        while true {
            let left = end - Clock.monotonic()
            if left <= 0 { return "timed out" }
            var p = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
            let n = poll(&p, 1, Int32(min((left * 1000).rounded(.up), 86_400_000)))
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { return "timed out" }
            var err: Int32 = 0
            var len = socklen_t(MemoryLayout<Int32>.size)
            _ = getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len)
            return err == 0 ? nil : String(cString: strerror(err))
        }
    }
}
