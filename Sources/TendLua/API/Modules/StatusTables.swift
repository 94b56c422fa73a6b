import TendCore

/// The status records `tend.daemons` returns, pushed as Lua tables with the keys of their
/// JSON form (`tend status --format json`), field by field: no JSON text in between.
/// `StatusTablesTests` holds each one against the table it must be.
extension LuaStack {
    func push(_ report: StatusReport) {
        newTable(fields: 2)
        newTable(fields: 2)
        setField("running", report.monitor.running)
        setField("pid", report.monitor.pid)
        rawSet(-2, "monitor")
        pushArray(report.daemons) { push($0) }
        rawSet(-2, "daemons")
    }

    func push(_ d: DaemonStatus) {
        newTable(fields: 12)
        setField("daemon", d.daemon)
        setField("state", d.state.rawValue)
        setField("pid", d.pid)
        setField("uptime_seconds", d.uptimeSeconds)
        setField("restarts", d.restarts)
        setField("last_exit", d.lastExit)
        setField("last_exit_at", d.lastExitAt)
        setField("wanted", d.wanted.rawValue)
        setField("reason", d.reason)
        setField("next_attempt_at", d.nextAttemptAt)
        if let ready = d.ready { setField("ready", ready) }
        if let health = d.health {
            push(health)
            rawSet(-2, "health")
        }
    }

    func push(_ h: HealthResult) {
        newTable(fields: 3)
        setField("state", h.state.rawValue)
        setField("reason", h.reason)
        setField("at", h.at)
    }

    func push(_ summary: HealthSummary) {
        newTable(fields: 4)
        setField("healthy", summary.healthy)
        setField("total", summary.total)
        setField("percent", summary.percent)
        pushArray(summary.daemons) { e in
            newTable(fields: 5)
            setField("daemon", e.daemon)
            setField("healthy", e.healthy)
            setField("state", e.state.rawValue)
            setField("reason", e.reason)
            setField("check", e.check?.rawValue)
        }
        rawSet(-2, "daemons")
    }

    /// A Lua array of `items`, each pushed by `pushItem` (an empty one still encodes as `[]`).
    private func pushArray<T>(_ items: [T], _ pushItem: (T) -> Void) {
        newTable(array: items.count)
        if items.isEmpty { markEmptyArray() }
        for (i, item) in items.enumerated() {
            pushItem(item)
            rawSet(-2, i + 1)
        }
    }
}
