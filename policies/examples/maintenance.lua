-- A maintenance flag file: while $TEND_HOME/maintenance exists (a database upgrade, a
-- disk swap), a daemon that dies is not restarted at once but every 5 minutes, and by
-- itself again as usual once the file is gone (`rm`: no `tend start` needed). Outside
-- maintenance, the seed's cooldown between restarts applies.
--
-- Use it: copy to ~/.config/tend/policies/maintenance.lua and set
-- `policy = "maintenance"` on a daemon in daemons.lua; then
--   touch "$TEND_HOME/maintenance"      before the work,  rm it after.

local RETRY = 300   -- seconds between attempts during maintenance

---@type tend.Policy
return {
  decide = function(daemon, exit, history, now)
    if tend.fs.exists(tend.home() .. "/maintenance") then
      return {
        action = "wait",
        delay = RETRY,
        reason = string.format("maintenance (the home's maintenance file exists): next attempt in %ds", RETRY),
      }
    end
    local recent = history:since(now - daemon.restart.cooldown)   -- automatic restarts, oldest first
    local last = recent[#recent]
    if last ~= nil then
      return { action = "wait", delay = last.time + daemon.restart.cooldown - now, reason = "cooldown after " .. exit.reason }
    end
    return { action = "restart", reason = exit.reason }
  end,
}
