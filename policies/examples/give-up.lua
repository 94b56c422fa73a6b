-- Give up after N deaths in M minutes, and say so in health.log: a daemon that keeps
-- dying is broken, and restarting it only fills the logs. Below the limit every death
-- is restarted at once. After giving up the daemon is HELD; `tend start NAME` tries again.
--
-- Use it: copy to ~/.config/tend/policies/give-up.lua and set `policy = "give-up"` on a
-- daemon in daemons.lua.

local DEATHS = 5     -- this many deaths …
local MINUTES = 10   -- … within this many minutes, and it stays down

---@type tend.Policy
return {
  decide = function(daemon, exit, history, now)
    -- Each automatic restart in the window followed a death; this death is one more.
    local deaths = #history:since(now - MINUTES * 60) + 1
    if deaths >= DEATHS then
      tend.log.health_event("gave_up", string.format(
        "%s: gave up after %d deaths in %d minutes (last: %s); `tend start %s` tries again",
        daemon.name, deaths, MINUTES, exit.reason, daemon.name), "error")
      return { action = "stay_down", reason = string.format("gave up: %d deaths in %d minutes", deaths, MINUTES) }
    end
    return {
      action = "restart",
      reason = string.format("%s; deaths in %d minutes: %d (gives up at %d)", exit.reason, MINUTES, deaths, DEATHS),
    }
  end,
}
