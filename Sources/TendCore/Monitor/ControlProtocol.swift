import TendSystem

/// The control channel between the CLI and the monitor: one JSON line each way over the
/// Unix socket `HOME/monitor.sock` (0600 in a 0700 home; no network listener).
public struct ControlRequest: Codable, Sendable, Equatable {
    public enum Command: String, Codable, Sendable {
        case ping, start, stop, restart, reload
    }
    public var command: Command
    /// The daemons named; the monitor checks them against its configuration.
    public var names: [String]
    /// Every daemon instead of `names` (for stop: also undeclared ones that still run).
    public var all: Bool

    public init(_ command: Command, names: [String] = [], all: Bool = false) {
        self.command = command
        self.names = names
        self.all = all
    }

    enum CodingKeys: String, CodingKey { case command, names, all }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        command = try c.decode(Command.self, forKey: .command)
        names = try c.decodeIfPresent([String].self, forKey: .names) ?? []
        all = try c.decodeIfPresent(Bool.self, forKey: .all) ?? false
    }
}

public struct ControlResponse: Codable, Sendable, Equatable {
    /// What became of one daemon: in words for people, and as data for scripts
    /// (startup.lua tells "started" from "already running" by `already`, not by words).
    public struct Item: Codable, Sendable, Equatable {
        public var daemon: String
        public var ok: Bool
        public var message: String
        /// The status word (`RUNNING`, `STOPPED`, `HELD`, …) after the request.
        public var state: String?
        public var pid: Int32?
        /// Nothing needed doing: it already was as asked.
        public var already: Bool?

        public init(daemon: String, ok: Bool, message: String, state: String? = nil, pid: Int32? = nil, already: Bool? = nil) {
            self.daemon = daemon
            self.ok = ok
            self.message = message
            self.state = state
            self.pid = pid
            self.already = already
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
        return try exchange(request, on: fd, home: home, timeout: timeout)
    }

    /// Like `send`, but nil (nothing sent) when no monitor listens on the socket.
    public static func sendIfListening(_ request: ControlRequest, home: Home, timeout: Double = 120) throws -> ControlResponse? {
        let fd: Int32
        do { fd = try UnixSocket.connect(to: home.monitorSocket) } catch let e as SystemError where UnixSocket.nobodyListens(e) {
            return nil
        }
        defer { _ = closeFD(fd) }
        return try exchange(request, on: fd, home: home, timeout: timeout)
    }

    private static func exchange(_ request: ControlRequest, on fd: Int32, home: Home, timeout: Double) throws -> ControlResponse {
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
