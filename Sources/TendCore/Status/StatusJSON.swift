/// `tend status` and `tend health` as JSON (docs/json.md), by the convention of
/// `JSONOutput`. The Codable forms of these types are not it: they keep epoch times
/// for the Lua API (`tend.daemons.status`).
extension StatusReport {
    public var json: JSONValue {
        var monitorObject: [String: JSONValue] = ["running": .bool(monitor.running)]
        monitorObject.setIfPresent("pid", monitor.pid.map(JSONOutput.int))
        return .object(["daemons": .array(daemons.map(\.json)), "monitor": .object(monitorObject)])
    }
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
        return .object(o)
    }
}

extension HealthResult {
    public var json: JSONValue {
        .object(["state": .string(state.rawValue), "reason": .string(reason), "checked_at": JSONOutput.time(at)])
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
