import TendCore
import TendSystem

/// The tables policies and health checks receive, built from the Swift records.
extension LuaStack {
    /// `{name, restart = {max_per_hour, cooldown}, policy, stop_timeout, command | plugin, cwd, pid}`
    func pushDaemon(_ d: DaemonSpec, pid: Int32? = nil) {
        newTable(fields: 8)
        setField("name", d.name)
        newTable(fields: 2)
        setField("max_per_hour", d.restart.maxPerHour)
        setField("cooldown", d.restart.cooldown)
        rawSet(-2, "restart")
        setField("policy", d.policy)
        setField("stop_timeout", d.stopTimeout)
        switch d.run {
        case .command(let argv): setField("command", JSONValue.array(argv.map { .string($0) }))
        case .plugin(let name): setField("plugin", name)
        }
        setField("cwd", d.workingDirectory)
        setField("pid", pid)
    }

    /// `{cause, code, signal, uptime, reason, pid, at}`; the signal as its name
    /// (`"SIGKILL"`), as in `tend.process.run`'s result.
    func pushExit(_ e: ExitInfo) {
        newTable(fields: 7)
        setField("cause", e.cause.rawValue)
        setField("code", e.code)
        setField("signal", e.signal.map { Signal($0).name })
        setField("uptime", e.uptime)
        setField("reason", e.reason)
        setField("pid", e.pid)
        setField("at", e.at)
    }

    /// An array of `{time, reason, old_pid, new_pid, success, manual}`, oldest first, with
    /// the methods of `meta` (`history:since(t)`).
    func pushHistory(_ h: RestartHistory, meta: LuaRef) {
        newTable(array: h.events.count)
        for (i, e) in h.events.enumerated() {
            newTable(fields: 6)
            setField("time", e.time)
            setField("reason", e.reason)
            setField("old_pid", e.oldPID)
            setField("new_pid", e.newPID)
            setField("success", e.success)
            setField("manual", e.manual)
            rawSet(-2, i + 1)
        }
        push(meta)
        setMetatable(-2)
    }
}

/// The methods of a history table, in Lua where users can read them.
enum HistoryMethods {
    static let source = """
    local History = {}
    History.__index = History

    -- Automatic (policy) restarts at or after time t; manual ones never count.
    function History:since(t)
      local out = setmetatable({}, History)
      for _, e in ipairs(self) do
        if not e.manual and e.time >= t then out[#out + 1] = e end
      end
      return out
    end

    -- Every restart at or after time t, manual ones included.
    function History:all_since(t)
      local out = setmetatable({}, History)
      for _, e in ipairs(self) do
        if e.time >= t then out[#out + 1] = e end
      end
      return out
    end

    -- The newest event, or nil.
    function History:last()
      return self[#self]
    end

    return History
    """
}
