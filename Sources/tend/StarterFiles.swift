import TendCore

/// The commented starter files `tend new` writes: each loads as it is, does something
/// sensible, and says how to try it. `{{name}}` and `{{path}}` are filled in.
enum StarterFiles {
    static func text(_ kind: ScriptPaths.Kind, name: String, path: String) -> String {
        let template: String
        switch kind {
        case .policy: template = policy
        case .health: template = check
        case .plugin: template = plugin
        }
        // The name first: a name never holds braces, so it cannot make a `{{path}}`.
        return template.replacing("{{name}}", with: name).replacing("{{path}}", with: path)
    }

    static let policy = """
        -- {{name}}: a restart policy. The monitor calls decide after each death of a daemon that
        -- is wanted up and declares `policy = "{{name}}"` in daemons.lua. An edit takes effect at
        -- the next death; a broken one is reported and the last good version stays in force.
        --
        -- Try it without a single crash (deaths.json: [{"uptime": 5, "code": 1}, …]):
        --   tend policy simulate DAEMON --policy {{path}} --deaths deaths.json
        -- Editor types: docs/tend.meta.lua (tend.Policy, tend.Exit, tend.History, …).
        -- More examples: policies/examples/ and docs/policies.md.

        local HOUR = 3600

        ---@type tend.Policy
        return {
          ---@param daemon tend.Daemon    name, restart = { max_per_hour, cooldown }, …
          ---@param exit tend.Exit        cause, code or signal ("SIGKILL"), uptime, reason
          ---@param history tend.History  automatic restarts, oldest first; history:since(t)
          ---@param now number            epoch seconds
          ---@return tend.Decision
          decide = function(daemon, exit, history, now)
            -- A clean exit means the daemon finished on purpose: leave it down.
            if exit.cause == "exited" and exit.code == 0 then
              return { action = "stay_down", reason = "exited cleanly (code 0)" }
            end

            -- At most max_per_hour automatic restarts in any hour; then wait until the
            -- oldest one is an hour old (the monitor restarts it by itself then).
            local limit = daemon.restart.max_per_hour
            local recent = history:since(now - HOUR)
            if limit <= 0 then
              return { action = "stay_down", reason = "automatic restarts are off (max_per_hour = 0)" }
            end
            if #recent >= limit then
              return {
                action = "wait",
                delay = recent[1].time + HOUR - now,
                reason = string.format("%d restarts in the last hour (max %d)", #recent, limit),
              }
            end

            return { action = "restart", reason = exit.reason }
          end,
        }

        """

    static let check = """
        -- {{name}}: a health check. A daemon uses it with `health = "{{name}}"`, or with
        -- `health = { check = "{{name}}", interval = 30, max_rss_mb = 256 }` in daemons.lua (keys
        -- other than check, interval and timeout arrive as `args`). It runs every interval
        -- while the daemon runs; returning false stops the daemon and asks its restart
        -- policy. A check that raises or overruns its timeout is a check error: reported in
        -- health.log, never a restart.
        --
        -- Try it: `tend check-config` loads it; `tend health` shows its last verdict.
        -- Editor types: docs/tend.meta.lua (tend.HealthCheck, tend.Daemon).

        ---@type tend.HealthCheck
        return {
          interval = 60,   -- seconds between checks (daemons.lua's interval wins)
          timeout = 2,     -- seconds a check may take

          ---@param daemon tend.Daemon  name, pid (verified) while it runs, …
          ---@param args table          the daemon's health = { … } keys
          ---@return boolean, string
          check = function(daemon, args)
            if daemon.pid == nil then return false, "not running" end
            local info, err = tend.process.info(daemon.pid)
            if info == nil then return false, err end
            local mib = info.rss_bytes // (1024 * 1024)
            local limit = args.max_rss_mb or 512
            if mib > limit then
              return false, string.format("RSS %d MiB, above %d MiB", mib, limit)
            end
            return true, string.format("RSS %d MiB", mib)
          end,
        }

        """

    static let plugin = """
        -- {{name}}: a command plugin, run with `tend run {{name}} [ARGS…]` (`--` passes options
        -- on); what run returns is the exit code. To make it a daemon instead (`tend run {{name}}`
        -- ticking until stopped; `plugin = "{{name}}"` in daemons.lua), return
        --   { interval = 60, tick = function(ctx) … end }      (ctx: home, name, state, ticks)
        -- Shared code goes in plugins/lib/LIB.lua, loaded with tend.require("LIB").
        --
        -- Try it: tend run {{name}} you
        -- Editor types: docs/tend.meta.lua (tend.CommandPlugin, tend.DaemonPlugin).

        ---@type tend.CommandPlugin
        return {
          summary = "Greets someone (a starter: edit {{path}})",

          ---@param args string[]
          ---@return integer
          run = function(args)
            local who = args[1] or "world"
            print("hello, " .. who)
            tend.log.info("greeted " .. who, { home = tend.home() })
            return 0
          end,
        }

        """
}
