#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Opens `path` for appending (created 0600), for handing to a child as its output.
public func openAppend(_ path: String) throws -> Int32 {
    let fd = retryingOnInterrupt { open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o600) }
    guard fd >= 0 else { throw SystemError("open", path: path) }
    return fd
}
