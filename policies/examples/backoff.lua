-- Exponential backoff with a cap: the wait before a restart doubles with each restart
-- in the last 10 minutes (1 s, 2 s, 4 s, … at most 5 min), so a crash loop slows down
-- by itself and a daemon that stays up for 10 minutes starts again from 1 s. A death
-- after a healthy run (up a minute or more) is restarted at once.
--
-- Use it: copy to ~/.config/tend/policies/backoff.lua and set `policy = "backoff"` on a
-- daemon in daemons.lua. Try it first:
--   tend policy simulate NAME --policy policies/examples/backoff.lua --deaths deaths.json

local FIRST = 1       -- seconds: the first wait
local CAP = 300       -- seconds: never wait longer
local HEALTHY = 60    -- seconds up that make a healthy run
local WINDOW = 600    -- seconds: restarts this recent double the wait

---@type tend.Policy
return {
  decide = function(_, exit, history, now)
    if exit.uptime ~= nil and exit.uptime >= HEALTHY then
      return { action = "restart", reason = string.format("%s after %.0fs up: restart at once", exit.reason, exit.uptime) }
    end
    local recent = #history:since(now - WINDOW)   -- automatic restarts only
    local delay = math.min(CAP, FIRST * 2 ^ recent)
    return {
      action = "wait",
      delay = delay,
      reason = string.format("backoff: waiting %gs (restarts in the last %gs: %d; cap %gs)", delay, WINDOW, recent, CAP),
    }
  end,
}
