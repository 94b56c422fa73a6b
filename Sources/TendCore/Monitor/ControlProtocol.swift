import TendSystem

/// The control channel between the CLI and the monitor: one JSON line each way over the
/// Unix socket `HOME/monitor.sock` (0600 in a 0700 home; no network listener).
public struct ControlRequest: Codable, Sendable, Equatable {
    public enum Command: String, Codable, Sendable {
        case ping, start, stop, restart, reload
    }
    public var command: Command
    public var names: [String]

    public init(_ command: Command, names: [String] = []) {
        self.command = command
        self.names = names
    }
}

public struct ControlResponse: Codable, Sendable, Equatable {
    public struct Item: Codable, Sendable, Equatable {
        public var daemon: String
        public var ok: Bool
        public var message: String
        public init(daemon: String, ok: Bool, message: String) {
            self.daemon = daemon
            self.ok = ok
            self.message = message
        }
    }
    public var ok: Bool
    public var monitorPID: Int32
    public var items: [Item]
    public var error: String?

    public init(ok: Bool, monitorPID: Int32, items: [Item] = [], error: String? = nil) {
        self.ok = ok
        self.monitorPID = monitorPID
        self.items = items
        self.error = error
    }
}

/// The CLI side of the channel.
public enum ControlClient {
    /// Sends one request and waits for the answer (stops can take `stop_timeout`).
    public static func send(_ request: ControlRequest, home: Home, timeout: Double = 120) throws -> ControlResponse {
        let fd = try UnixSocket.connect(to: home.monitorSocket)
        defer { _ = closeFD(fd) }
        try FileSystem.writeAll(fd, Array((try RecordCoding.encodeLine(request)).utf8), path: home.monitorSocket)
        guard let line = try UnixSocket.readLine(fd, timeout: timeout) else {
            throw SystemError("the monitor closed the connection without answering", path: home.monitorSocket, code: 104)
        }
        return try RecordCoding.decode(ControlResponse.self, from: line)
    }

    /// True when a monitor answers on the socket.
    public static func isReachable(_ home: Home) -> Bool {
        (try? send(ControlRequest(.ping), home: home, timeout: 5)) != nil
    }
}
