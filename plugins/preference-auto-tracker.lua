-- preference-auto-tracker: aggregates the `preferences` of every session snapshot
-- (sessions/history/*.json, oldest first) into preferences.json:
--   { preferences = { KEY = { value = <latest>, count = <snapshots holding it>, last_seen = <snapshot> } }, snapshots = N }
local memory = tend.require("memory")

return {
  summary = "Aggregate session preferences across snapshots into preferences.json",
  interval = 120,

  tick = function(ctx)
    local dir = memory.history_dir(ctx.home)
    local prefs, used = {}, 0
    for _, name in ipairs(memory.list(dir, ".json")) do
      local snap = memory.read_json(memory.path(dir, name))   -- corrupt ones are moved aside
      if snap then
        used = used + 1
        if type(snap.preferences) == "table" then
          local seen = name:sub(1, -6)
          for key, value in pairs(snap.preferences) do
            local p = prefs[key] or { count = 0 }
            p.value, p.count, p.last_seen = value, p.count + 1, seen
            prefs[key] = p
          end
        end
      end
    end
    local written = memory.update_json(memory.path(ctx.home, "preferences.json"),
                                       { preferences = prefs, snapshots = used }, "updated_at")
    if written then
      local n = 0
      for _ in pairs(prefs) do n = n + 1 end
      tend.log.info(string.format("preferences.json: %s from %s", memory.plural(n, "preference"),
                                  memory.plural(used, "snapshot")))
    end
  end,
}
