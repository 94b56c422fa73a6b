-- Never restart after a clean exit: a daemon that exits with code 0 has finished its
-- work (a one-shot job, a daemon told to quit) and stays down until `tend start`. Any
-- other death is restarted, at most once per `restart.cooldown` seconds.
--
-- Use it: copy to ~/.config/tend/policies/clean-exit.lua and set
-- `policy = "clean-exit"` on a daemon in daemons.lua.

---@type tend.Policy
return {
  decide = function(daemon, exit, history, now)
    if exit.cause == "exited" and exit.code == 0 then
      return { action = "stay_down", reason = "exited cleanly (code 0): its work is done" }
    end
    local cooldown = daemon.restart.cooldown
    local recent = history:since(now - cooldown)   -- automatic restarts, oldest first
    local last = recent[#recent]
    if last ~= nil then
      return {
        action = "wait",
        delay = last.time + cooldown - now,
        reason = string.format("%s; last restart %ds ago (cooldown %gs)", exit.reason, math.floor(now - last.time), cooldown),
      }
    end
    return { action = "restart", reason = exit.reason }
  end,
}
