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

    /// The signals known by name, in one table so that `name` and `number` always agree
    /// (Lua sees signals as these names: `exit.signal == "SIGKILL"`).
    public static let named: [(name: String, number: Int32)] = [
        ("SIGHUP", SIGHUP), ("SIGINT", SIGINT), ("SIGQUIT", SIGQUIT), ("SIGILL", SIGILL), ("SIGTRAP", SIGTRAP),
        ("SIGABRT", SIGABRT), ("SIGBUS", SIGBUS), ("SIGFPE", SIGFPE), ("SIGKILL", SIGKILL), ("SIGUSR1", SIGUSR1),
        ("SIGSEGV", SIGSEGV), ("SIGUSR2", SIGUSR2), ("SIGPIPE", SIGPIPE), ("SIGALRM", SIGALRM), ("SIGTERM", SIGTERM),
        ("SIGCHLD", SIGCHLD), ("SIGCONT", SIGCONT), ("SIGSTOP", SIGSTOP), ("SIGTSTP", SIGTSTP), ("SIGTTIN", SIGTTIN),
        ("SIGTTOU", SIGTTOU), ("SIGURG", SIGURG), ("SIGXCPU", SIGXCPU), ("SIGXFSZ", SIGXFSZ), ("SIGVTALRM", SIGVTALRM),
        ("SIGPROF", SIGPROF), ("SIGWINCH", SIGWINCH), ("SIGSYS", SIGSYS),
    ]

    /// `SIGKILL` for 9; `signal 34` for one without a name.
    public static func name(_ signal: Int32) -> String {
        named.first { $0.number == signal }?.name ?? "signal \(signal)"
    }

    /// A signal number from `TERM`, `SIGTERM`, `15` or `signal 15` (what `name` gives).
    public static func number(_ name: String) -> Int32? {
        let bare = name.hasPrefix("signal ") ? String(name.dropFirst("signal ".count)) : name
        if let n = Int32(bare) { return n }
        let upper = bare.uppercased()
        let full = upper.hasPrefix("SIG") ? upper : "SIG" + upper
        return named.first { $0.name == full }?.number
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
