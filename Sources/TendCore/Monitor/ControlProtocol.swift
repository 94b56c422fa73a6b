import TendSystem

/// The control channel between the CLI and the monitor: one JSON line each way over the
/// Unix socket `HOME/monitor.sock` (0600 in a 0700 home; the monitor also checks the
/// peer's user). Written and read with `JSONValue`: no Foundation coder on this path,
/// which every `tend start`, `stop` and `status` takes.
public struct ControlRequest: Sendable, Equatable {
    public enum Command: String, Sendable {
        case ping, start, stop, restart, reload, status, shutdown
    }
    public var command: Command
    /// The daemons named; the monitor checks them against its configuration.
    public var names: [String]
    /// Every daemon instead of `names` (for stop: also undeclared ones that still run).
    public var all: Bool
    /// `shutdown` only: leave the daemons running (the next monitor adopts them).
    public var keepDaemons: Bool

    public init(_ command: Command, names: [String] = [], all: Bool = false, keepDaemons: Bool = false) {
        self.command = command
        self.names = names
        self.all = all
        self.keepDaemons = keepDaemons
    }

    public var json: JSONValue {
        var o: [String: JSONValue] = ["command": .string(command.rawValue)]
        if !names.isEmpty { o["names"] = .array(names.map(JSONValue.string)) }
        if all { o["all"] = .bool(true) }
        if keepDaemons { o["keep_daemons"] = .bool(true) }
        return .object(o)
    }

    public init(json: JSONValue) throws {
        guard let word = json["command"]?.stringValue, let command = Command(rawValue: word) else {
            throw ControlProtocolError("no known command in \(json)")
        }
        self.command = command
        names = try (json["names"]?.arrayValue ?? []).map {
            guard let name = $0.stringValue else { throw ControlProtocolError("a daemon name is not a string: \($0)") }
            return name
        }
        all = json["all"]?.boolValue ?? false
        keepDaemons = json["keep_daemons"]?.boolValue ?? false
    }
}

public struct ControlResponse: Sendable, Equatable {
    /// What became of one daemon: in words for people, and as data for scripts
    /// (startup.lua tells "started" from "already running" by `already`, not by words).
    public struct Item: Sendable, Equatable {
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
    /// `status`: the report, as `StatusReport.json`.
    public var report: JSONValue?

    public init(ok: Bool, monitorPID: Int32, items: [Item] = [], error: String? = nil, report: JSONValue? = nil) {
        self.ok = ok
        self.monitorPID = monitorPID
        self.items = items
        self.error = error
        self.report = report
    }

    public var json: JSONValue {
        var o: [String: JSONValue] = ["ok": .bool(ok), "monitor_pid": .int(Int64(monitorPID))]
        if !items.isEmpty {
            o["items"] = .array(items.map { item in
                var i: [String: JSONValue] = ["daemon": .string(item.daemon), "ok": .bool(item.ok), "message": .string(item.message)]
                i.setIfPresent("state", item.state.map(JSONValue.string))
                i.setIfPresent("pid", item.pid.map { .int(Int64($0)) })
                i.setIfPresent("already", item.already.map(JSONValue.bool))
                return .object(i)
            })
        }
        o.setIfPresent("error", error.map(JSONValue.string))
        o.setIfPresent("report", report)
        return .object(o)
    }

    public init(json: JSONValue) throws {
        guard let ok = json["ok"]?.boolValue, let pid = json["monitor_pid"]?.intValue else {
            throw ControlProtocolError("not an answer of the monitor: \(json)")
        }
        self.ok = ok
        monitorPID = Int32(truncatingIfNeeded: pid)
        items = try (json["items"]?.arrayValue ?? []).map { i in
            guard let daemon = i["daemon"]?.stringValue, let ok = i["ok"]?.boolValue, let message = i["message"]?.stringValue else {
                throw ControlProtocolError("an item of the answer lacks daemon, ok or message: \(i)")
            }
            return Item(daemon: daemon, ok: ok, message: message, state: i["state"]?.stringValue,
                        pid: i["pid"]?.intValue.map { Int32(truncatingIfNeeded: $0) }, already: i["already"]?.boolValue)
        }
        error = json["error"]?.stringValue
        report = json["report"]
    }
}

public struct ControlProtocolError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = "control channel: \(description)" }
}

/// One message on the channel: a JSON object on one line.
enum ControlLine {
    static func encode(_ value: JSONValue) -> [UInt8] {
        Array((value.serialized() + "\n").utf8)
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
        try FileSystem.writeAll(fd, ControlLine.encode(request.json), path: home.monitorSocket)
        guard let line = try UnixSocket.readLine(fd, timeout: timeout) else {
            throw SystemError("the monitor closed the connection without answering", path: home.monitorSocket, code: 104)
        }
        return try ControlResponse(json: try JSONValue.parse(line))
    }

    /// True when a monitor answers on the socket.
    public static func isReachable(_ home: Home) -> Bool {
        (try? send(ControlRequest(.ping), home: home, timeout: 5)) != nil
    }
}
