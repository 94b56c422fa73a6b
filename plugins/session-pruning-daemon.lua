-- session-pruning-daemon: keeps the newest snapshots in sessions/history/ (50) and none
-- older than 30 days. Override per daemon in daemons.lua with
--   env = { TEND_PRUNE_KEEP = "20", TEND_PRUNE_MAX_AGE_DAYS = "7" }
local memory = tend.require("memory")

return {
  summary = "Keep the newest 50 session snapshots and none older than 30 days",
  interval = 300,

  tick = function(ctx)
    local keep = memory.env_number("TEND_PRUNE_KEEP", 50)
    local max_age = memory.env_number("TEND_PRUNE_MAX_AGE_DAYS", 30) * 86400
    local dir = memory.history_dir(ctx.home)
    local names = memory.list(dir, ".json")   -- oldest first: names are UTC stamps
    local now = tend.time.now()
    local removed = 0
    for i, name in ipairs(names) do
      local path = memory.path(dir, name)
      local too_many = i <= #names - keep
      local st = tend.fs.stat(path)
      local too_old = st ~= nil and now - st.mtime > max_age
      if too_many or too_old then
        local ok, err = tend.fs.remove(path)
        if ok then removed = removed + 1 else tend.log.warning("cannot remove " .. path .. ": " .. err) end
      end
    end
    if removed > 0 then
      tend.log.info(string.format("pruned %s (keeping the newest %d, none older than %g days)",
                                  memory.plural(removed, "snapshot"), keep, max_age / 86400))
    end
  end,
}
