#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CSystemShim

/// A Unix stream socket in the home: the only control channel (no network listener).
/// The socket file is mode 0600 inside a 0700 home, so only the owner can connect.
public enum UnixSocket {
    private static func address(_ path: String) throws -> sockaddr_un {
        var addr = sockaddr_un()
        addr.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        let capacity = MemoryLayout.size(ofValue: addr.sun_path)
        guard bytes.count < capacity else {
            throw SystemError("socket path too long (\(bytes.count) bytes, max \(capacity - 1))", path: path, code: ENAMETOOLONG)
        }
        withUnsafeMutableBytes(of: &addr.sun_path) { raw in
            for (i, b) in bytes.enumerated() { raw[i] = b }
        }
        return addr
    }

    private static func newSocket() throws -> Int32 {
        #if os(Linux)
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        #else
        let fd = socket(AF_UNIX, SOCK_STREAM, 0)
        #endif
        guard fd >= 0 else { throw SystemError("socket") }
        return fd
    }

    /// Binds and listens at `path` (replacing a stale socket file), mode 0600.
    public static func listen(at path: String) throws -> Int32 {
        var addr = try address(path)
        _ = unlink(path)
        let fd = try newSocket()
        let old = umask(0o177)
        let rc = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        umask(old)
        guard rc == 0 else { close(fd); throw SystemError("bind", path: path) }
        guard Glibc_listen(fd, 64) == 0 else { close(fd); throw SystemError("listen", path: path) }
        setNonBlocking(fd)
        return fd
    }

    /// Connects to `path`; throws if nothing listens there.
    public static func connect(to path: String) throws -> Int32 {
        var addr = try address(path)
        let fd = try newSocket()
        let rc = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { sa in
                retryingOnInterrupt { Glibc_connect(fd, sa, socklen_t(MemoryLayout<sockaddr_un>.size)) }
            }
        }
        guard rc == 0 else { let e = SystemError("connect", path: path); close(fd); throw e }
        return fd
    }

    /// The user ID of the process at the other end of a connected socket.
    public static func peerUID(_ fd: Int32) -> uid_t? {
        var uid: uid_t = 0
        return tend_peer_uid(fd, &uid) == 0 ? uid : nil
    }

    /// Whether a failed `connect` means that no one listens (no socket file, or a stale
    /// one), as opposed to a listener that refuses us (permissions).
    public static func nobodyListens(_ error: SystemError) -> Bool {
        error.code == ENOENT || error.code == ECONNREFUSED
    }

    /// Accepts one pending connection, or nil when none is waiting.
    public static func accept(_ listener: Int32) -> Int32? {
        let fd = retryingOnInterrupt { Glibc_accept(listener, nil, nil) }
        guard fd >= 0 else { return nil }
        _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        return fd
    }

    public static func setNonBlocking(_ fd: Int32) {
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
    }

    /// Reads one line (without its newline) or up to EOF, at most `limit` bytes, in
    /// chunks. The channel carries one line per connection and direction, so reading
    /// past the newline loses nothing.
    public static func readLine(_ fd: Int32, limit: Int = 1 << 20, timeout: Double? = nil) throws -> String? {
        var result: [UInt8] = []
        // 64 KiB: a status answer for 200 daemons is about 50 KB, read in one go.
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        let deadline = timeout.map { Clock.monotonic() + $0 }
        while result.count < limit {
            if let deadline {
                let left = deadline - Clock.monotonic()
                if left <= 0 { throw SystemError("read (timed out)", code: ETIMEDOUT) }
                if Poller.waitReadable([fd], timeout: left).isEmpty { continue }
            }
            let n = chunk.withUnsafeMutableBytes { buf in retryingOnInterrupt { read(fd, buf.baseAddress, buf.count) } }
            if n < 0 {
                if errno == EAGAIN { continue }
                throw SystemError("read")
            }
            if n == 0 { return result.isEmpty ? nil : String(decoding: result, as: UTF8.self) }
            if let newline = chunk[0..<n].firstIndex(of: UInt8(ascii: "\n")) {
                result.append(contentsOf: chunk[0..<newline])
                break
            }
            result.append(contentsOf: chunk[0..<n])
        }
        return String(decoding: result, as: UTF8.self)
    }
}

#if os(Linux)
private func Glibc_listen(_ fd: Int32, _ backlog: Int32) -> Int32 { Glibc.listen(fd, backlog) }
private func Glibc_connect(_ fd: Int32, _ addr: UnsafePointer<sockaddr>, _ len: socklen_t) -> Int32 { Glibc.connect(fd, addr, len) }
private func Glibc_accept(_ fd: Int32, _ addr: UnsafeMutablePointer<sockaddr>?, _ len: UnsafeMutablePointer<socklen_t>?) -> Int32 { Glibc.accept(fd, addr, len) }
#else
private func Glibc_listen(_ fd: Int32, _ backlog: Int32) -> Int32 { Darwin.listen(fd, backlog) }
private func Glibc_connect(_ fd: Int32, _ addr: UnsafePointer<sockaddr>, _ len: socklen_t) -> Int32 { Darwin.connect(fd, addr, len) }
private func Glibc_accept(_ fd: Int32, _ addr: UnsafeMutablePointer<sockaddr>?, _ len: UnsafeMutablePointer<socklen_t>?) -> Int32 { Darwin.accept(fd, addr, len) }
#endif
