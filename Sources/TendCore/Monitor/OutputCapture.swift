import TendSystem

/// Daemons' output as the monitor reads it: one FIFO per daemon (`.fifo/NAME`), which the
/// daemon holds read-write as its stdout and stderr, so it never sees EPIPE while no
/// monitor reads, and the next monitor drains what was buffered.
final class OutputCapture {
    private let home: Home
    /// The monitor's read end of each daemon's FIFO (read-write, non-blocking).
    private var readers: [String: Int32] = [:]
    private var assemblers: [String: OutputLineAssembler] = [:]

    init(home: Home) { self.home = home }

    var descriptors: [Int32] { Array(readers.values) }

    /// Opens the monitor's end of the daemon's FIFO once (it stays open across restarts)
    /// and returns a fresh write end for the child.
    func writeEnd(for daemon: String) throws -> Int32 {
        try attach(daemon)
        return try Fifo.openReadWrite(home.fifo(daemon), nonBlocking: false)
    }

    /// Starts reading the daemon's FIFO (an adopted daemon's, so what it wrote while no
    /// monitor ran reaches its log).
    func attach(_ daemon: String) throws {
        guard readers[daemon] == nil else { return }
        try Fifo.ensure(home.fifo(daemon))
        readers[daemon] = try Fifo.openReadWrite(home.fifo(daemon), nonBlocking: true)
    }

    /// Reads what the FIFO behind `fd` holds into `logger`'s file.
    func drain(fd: Int32, into logger: (String) -> DaemonLogger?) {
        guard let daemon = readers.first(where: { $0.value == fd })?.key else { return }
        drain(daemon, into: logger(daemon))
    }

    func drain(_ daemon: String, into logger: DaemonLogger?) {
        guard let fd = readers[daemon], let logger else { return }
        let bytes = Fifo.drain(fd)
        guard !bytes.isEmpty else { return }
        let lines = assemblers[daemon, default: OutputLineAssembler()].feed(bytes)
        if !lines.isEmpty { try? logger.captured(lines: lines) }
    }

    func closeAll() {
        for fd in readers.values { closeFD(fd) }
        readers.removeAll()
    }
}
