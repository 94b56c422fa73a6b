#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A signal, by number, with the one table of names Tend prints and parses
/// (`SIGTERM`, `TERM` and `15` all read as the same signal).
public struct Signal: Hashable, Sendable, CustomStringConvertible {
    public let number: Int32

    public init(_ number: Int32) { self.number = number }

    public static let hangup = Signal(SIGHUP)
    public static let interrupt = Signal(SIGINT)
    public static let kill = Signal(SIGKILL)
    public static let terminate = Signal(SIGTERM)
    public static let child = Signal(SIGCHLD)
    public static let pipe = Signal(SIGPIPE)
    public static let `continue` = Signal(SIGCONT)

    /// Every signal a user or a script may name. Numbers differ between platforms, so the
    /// table is built from the platform's constants.
    static let table: [(name: String, signal: Signal)] = [
        ("SIGHUP", Signal(SIGHUP)), ("SIGINT", Signal(SIGINT)), ("SIGQUIT", Signal(SIGQUIT)),
        ("SIGILL", Signal(SIGILL)), ("SIGTRAP", Signal(SIGTRAP)), ("SIGABRT", Signal(SIGABRT)),
        ("SIGBUS", Signal(SIGBUS)), ("SIGFPE", Signal(SIGFPE)), ("SIGKILL", Signal(SIGKILL)),
        ("SIGUSR1", Signal(SIGUSR1)), ("SIGSEGV", Signal(SIGSEGV)), ("SIGUSR2", Signal(SIGUSR2)),
        ("SIGPIPE", Signal(SIGPIPE)), ("SIGALRM", Signal(SIGALRM)), ("SIGTERM", Signal(SIGTERM)),
        ("SIGCHLD", Signal(SIGCHLD)), ("SIGCONT", Signal(SIGCONT)), ("SIGSTOP", Signal(SIGSTOP)),
        ("SIGTSTP", Signal(SIGTSTP)), ("SIGTTIN", Signal(SIGTTIN)), ("SIGTTOU", Signal(SIGTTOU)),
        ("SIGURG", Signal(SIGURG)), ("SIGXCPU", Signal(SIGXCPU)), ("SIGXFSZ", Signal(SIGXFSZ)),
        ("SIGVTALRM", Signal(SIGVTALRM)), ("SIGPROF", Signal(SIGPROF)), ("SIGWINCH", Signal(SIGWINCH)),
        ("SIGSYS", Signal(SIGSYS)),
    ]

    /// Every name in the table, in its order (the editor stubs' `tend.Signal`).
    public static var names: [String] { table.map(\.name) }

    /// `SIGTERM`, or `signal 42` for one without a name.
    public var name: String {
        Signal.table.first { $0.signal == self }?.name ?? "signal \(number)"
    }

    public var description: String { name }

    /// `TERM`, `SIGTERM`, `sigterm`, `15` or `signal 15` (what `name` gives for one
    /// without a name); nil for anything else.
    public init?(parsing text: String) {
        let number = text.hasPrefix("signal ") ? String(text.dropFirst("signal ".count)) : text
        if let n = Int32(number) {
            guard n > 0 && n < 65 else { return nil }
            self.init(n)
            return
        }
        let upper = text.uppercased()
        let full = upper.hasPrefix("SIG") ? upper : "SIG" + upper
        guard let entry = Signal.table.first(where: { $0.name == full }) else { return nil }
        self = entry.signal
    }
}
