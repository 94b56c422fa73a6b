import TendSystem

/// `tend status` and `tend health` as JSON (docs/json.md), by the convention of
/// `JSONOutput`. The Lua API (`tend.daemons.status`, StatusTables) has the same keys but
/// keeps epoch times.
extension StatusReport {
    public var json: JSONValue {
        var monitorObject: [String: JSONValue] = ["running": .bool(monitor.running)]
        monitorObject.setIfPresent("pid", monitor.pid.map(JSONOutput.int))
        return .object(["daemons": .array(daemons.map(\.json)), "monitor": .object(monitorObject)])
    }

    /// Reads back what `json` writes (the monitor's answer to `status`).
    public init(json: JSONValue) throws {
        guard let list = json["daemons"]?.arrayValue, let monitor = json["monitor"] else {
            throw StatusJSONError("not a status report")
        }
        self.init(monitor: MonitorState(running: monitor["running"]?.boolValue ?? false,
                                        pid: monitor["pid"]?.intValue.map { Int32(truncatingIfNeeded: $0) }),
                  daemons: try list.map(DaemonStatus.init(json:)))
    }
}

/// A status that could not be had: the monitor's answer unreadable, or a name unknown.
struct StatusJSONError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

extension DaemonStatus {
    public var json: JSONValue {
        var o: [String: JSONValue] = ["daemon": .string(daemon), "state": .string(state.rawValue),
                                      "wanted": .string(wanted.rawValue), "restarts": JSONOutput.int(restarts)]
        o.setIfPresent("pid", pid.map(JSONOutput.int))
        o.setIfPresent("uptime_seconds", uptimeSeconds.map(JSONOutput.seconds))
        o.setIfPresent("last_exit", lastExit.map(JSONValue.string))
        o.setIfPresent("last_exit_at", lastExitAt.map(JSONOutput.time))
        o.setIfPresent("reason", reason.map(JSONValue.string))
        o.setIfPresent("next_attempt_at", nextAttemptAt.map(JSONOutput.time))
        o.setIfPresent("health", health.map(\.json))
        o.setIfPresent("ready", ready.map(JSONValue.bool))
        return .object(o)
    }

    public init(json o: JSONValue) throws {
        guard let daemon = o["daemon"]?.stringValue, let word = o["state"]?.stringValue, let state = State(rawValue: word),
              let wanted = o["wanted"]?.stringValue.flatMap(WantedState.init(rawValue:)) else {
            throw StatusJSONError("a daemon without daemon, state or wanted: \(o)")
        }
        let time = { (key: String) in o[key]?.stringValue.flatMap(Clock.parseISO8601) }
        self.init(daemon: daemon, state: state, pid: o["pid"]?.intValue.map { Int32(truncatingIfNeeded: $0) },
                  uptimeSeconds: o["uptime_seconds"]?.doubleValue, restarts: Int(o["restarts"]?.intValue ?? 0),
                  lastExit: o["last_exit"]?.stringValue, lastExitAt: time("last_exit_at"), wanted: wanted,
                  reason: o["reason"]?.stringValue, nextAttemptAt: time("next_attempt_at"),
                  health: try o["health"].map(HealthResult.init(json:)), ready: o["ready"]?.boolValue)
    }
}

extension HealthResult {
    public var json: JSONValue {
        .object(["state": .string(state.rawValue), "reason": .string(reason), "checked_at": JSONOutput.time(at)])
    }

    public init(json o: JSONValue) throws {
        guard let word = o["state"]?.stringValue, let state = State(rawValue: word), let reason = o["reason"]?.stringValue,
              let at = o["checked_at"]?.stringValue.flatMap(Clock.parseISO8601) else {
            throw StatusJSONError("a health result without state, reason or checked_at: \(o)")
        }
        self.init(state, reason: reason, at: at)
    }
}

extension HealthSummary {
    /// Every daemon healthy: what `tend health` exits 0 for.
    public var allHealthy: Bool { healthy == total }

    public var json: JSONValue {
        .object([
            "ok": .bool(allHealthy), "percent": JSONOutput.int(percent),
            "counts": .object(["healthy": JSONOutput.int(healthy), "total": JSONOutput.int(total)]),
            "daemons": .array(daemons.map { e in
                .object(["daemon": .string(e.daemon), "ok": .bool(e.healthy), "state": .string(e.state.rawValue),
                         "reason": .string(e.reason)])
            }),
        ])
    }
}
