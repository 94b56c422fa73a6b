-- The default restart policy (the seed's rules), called by the monitor after every
-- death of a daemon whose wanted state is "up":
--
--   * at most daemon.restart.max_per_hour automatic restarts in any rolling hour;
--     restarts a person asked for (`tend restart`) do not count;
--   * at least daemon.restart.cooldown seconds between automatic restarts;
--   * the first restart after a healthy run (up at least `cooldown` seconds) is immediate.
--
-- When the hourly limit is reached the daemon waits until the oldest restart in the
-- window leaves it; the monitor then restarts it by itself. Copy this file to
-- ~/.config/tend/policies/restart.lua to change it: edits take effect on the next death.

local HOUR = 3600

local function decide(daemon, exit, history, now)
  local limits = daemon.restart
  local recent = history:since(now - HOUR)   -- automatic restarts only, oldest first

  if limits.max_per_hour <= 0 then
    return { action = "stay_down", reason = "automatic restarts are disabled (max_per_hour = 0)" }
  end

  if #recent >= limits.max_per_hour then
    local oldest = recent[1]
    return {
      action = "wait",
      delay = math.max(0, oldest.time + HOUR - now),
      reason = string.format("rate limit: %d restarts in the last hour (max %d)", #recent, limits.max_per_hour),
    }
  end

  local last = recent[#recent]
  local healthy_run = exit.uptime ~= nil and exit.uptime >= limits.cooldown
  if last and not healthy_run and now - last.time < limits.cooldown then
    return {
      action = "wait",
      delay = last.time + limits.cooldown - now,
      reason = string.format("cooldown: last restart %ds ago (min %ds)", math.floor(now - last.time), math.floor(limits.cooldown)),
    }
  end

  return {
    action = "restart",
    reason = string.format("%s; %d of %d restarts used this hour", exit.reason, #recent + 1, limits.max_per_hour),
  }
end

return { decide = decide }
