#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Closes a descriptor (a name that does not clash with members called `close`).
@discardableResult
public func closeFD(_ fd: Int32) -> Int32 { close(fd) }

public func getpidValue() -> Int32 { getpid() }
