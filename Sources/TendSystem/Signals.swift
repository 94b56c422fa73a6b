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
    public static func send(_ signal: Int32, to identity: ProcessIdentity) -> Bool {
        guard ProcessTable.check(identity) == .alive else { return false }
        return kill(identity.pid, signal) == 0
    }

    /// Signals the process group led by a verified process, so the daemon's children go too.
    /// The leader's identity is checked first; the group itself cannot be re-used while
    /// any member lives, because the kernel does not hand out a PID that names a group.
    @discardableResult
    public static func sendToGroup(_ signal: Int32, leader identity: ProcessIdentity) -> Bool {
        guard ProcessTable.check(identity) == .alive else { return false }
        return kill(-identity.pid, signal) == 0
    }

    /// Signals what is left of a group whose leader we reaped ourselves (so its group ID
    /// cannot have been re-used since). Returns false when the group is empty.
    @discardableResult
    public static func sendToOrphanedGroup(_ signal: Int32, group: Int32) -> Bool {
        guard group > 1 else { return false }
        return kill(-group, signal) == 0
    }

    /// True while any process is in the group.
    public static func groupExists(_ group: Int32) -> Bool {
        group > 1 && (kill(-group, 0) == 0 || errno == EPERM)
    }

    public static func name(_ signal: Int32) -> String {
        switch signal {
        case SIGHUP: return "SIGHUP"
        case SIGINT: return "SIGINT"
        case SIGQUIT: return "SIGQUIT"
        case SIGILL: return "SIGILL"
        case SIGABRT: return "SIGABRT"
        case SIGBUS: return "SIGBUS"
        case SIGFPE: return "SIGFPE"
        case SIGKILL: return "SIGKILL"
        case SIGUSR1: return "SIGUSR1"
        case SIGSEGV: return "SIGSEGV"
        case SIGUSR2: return "SIGUSR2"
        case SIGPIPE: return "SIGPIPE"
        case SIGALRM: return "SIGALRM"
        case SIGTERM: return "SIGTERM"
        default: return "signal \(signal)"
        }
    }

    /// A signal number from `TERM`, `SIGTERM` or `15`.
    public static func number(_ name: String) -> Int32? {
        if let n = Int32(name) { return n }
        let upper = name.uppercased()
        let bare = upper.hasPrefix("SIG") ? String(upper.dropFirst(3)) : upper
        let table: [String: Int32] = ["HUP": SIGHUP, "INT": SIGINT, "QUIT": SIGQUIT, "KILL": SIGKILL,
                                      "USR1": SIGUSR1, "USR2": SIGUSR2, "TERM": SIGTERM, "ALRM": SIGALRM,
                                      "CONT": SIGCONT, "STOP": SIGSTOP]
        return table[bare]
    }
}

/// Signals turned into readable bytes on a pipe (the self-pipe trick), so one poll loop
/// handles signals, sockets and process exits alike.
public struct SignalPipe: Sendable {
    public let fd: Int32

    /// Installs handlers for `signals`; call once per process.
    public init(_ signals: [Int32]) throws {
        let fd = signals.withUnsafeBufferPointer { tend_signal_pipe($0.baseAddress, Int32($0.count)) }
        guard fd >= 0 else { throw SystemError("pipe") }
        self.fd = fd
    }

    /// The signals delivered since the last call (each at most once: they coalesce anyway).
    public func drain() -> Set<Int32> {
        var got = Set<Int32>()
        var buf = [UInt8](repeating: 0, count: 64)
        while true {
            let n = buf.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n <= 0 { break }
            for i in 0..<n { got.insert(Int32(buf[i])) }
        }
        return got
    }

    public static func ignore(_ signal: Int32) { _ = tend_signal_ignore(signal) }
}
