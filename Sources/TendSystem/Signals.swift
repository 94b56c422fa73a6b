#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CSystemShim

/// Sending signals, always to a verified process (see `ProcessTable.check`).
public enum Signals {
    /// Signals a process whose identity was just verified. Returns false if it is gone
    /// or its PID now belongs to another process (then nothing is sent).
    @discardableResult
    public static func send(_ signal: Signal, to identity: ProcessIdentity) -> Bool {
        guard ProcessTable.check(identity) == .alive else { return false }
        return kill(identity.pid, signal.number) == 0
    }

    /// Signals the process group led by a verified process, so the daemon's children go too.
    /// The leader's identity is checked first; the group itself cannot be re-used while
    /// any member lives, because the kernel does not hand out a PID that names a group.
    @discardableResult
    public static func sendToGroup(_ signal: Signal, leader identity: ProcessIdentity) -> Bool {
        guard ProcessTable.check(identity) == .alive else { return false }
        return kill(-identity.pid, signal.number) == 0
    }

    /// Signals what is left of a group whose leader has died, while no process holds the
    /// leader's PID (so the group ID cannot have been handed to anyone else). Returns false
    /// when the group is empty or its ID may have been reused.
    @discardableResult
    public static func sendToOrphanedGroup(_ signal: Signal, group: Int32) -> Bool {
        guard group > 1, ProcessTable.identity(of: group) == nil else { return false }
        return kill(-group, signal.number) == 0
    }

    /// True while any process is in the group.
    public static func groupExists(_ group: Int32) -> Bool {
        group > 1 && (kill(-group, 0) == 0 || errno == EPERM)
    }
}

/// Signals turned into readable bytes on a pipe (the self-pipe trick), so one poll loop
/// handles signals, sockets and process exits alike.
public struct SignalPipe: Sendable {
    public let fd: Int32

    /// Installs handlers for `signals`; call once per process.
    public init(_ signals: [Signal]) throws {
        let numbers = signals.map(\.number)
        let fd = numbers.withUnsafeBufferPointer { tend_signal_pipe($0.baseAddress, Int32($0.count)) }
        guard fd >= 0 else { throw SystemError("pipe") }
        self.fd = fd
    }

    /// The signals delivered since the last call (each at most once: they coalesce anyway).
    public func drain() -> Set<Signal> {
        var got = Set<Signal>()
        var buf = [UInt8](repeating: 0, count: 64)
        while true {
            let n = buf.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n <= 0 { break }
            for i in 0..<n { got.insert(Signal(Int32(buf[i]))) }
        }
        return got
    }

    public static func ignore(_ signal: Signal) { _ = tend_signal_ignore(signal.number) }
}
