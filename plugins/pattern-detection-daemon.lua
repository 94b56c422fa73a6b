-- pattern-detection-daemon: counts recurring error messages in logs/health.log and the
-- daemons' logs (logs/daemons/*.log) into patterns.json. Numbers, PIDs, hex values and
-- paths are normalised away, so "pid 4242 died" and "pid 4343 died" are one pattern.
-- A record found in several files (errors go to both a daemon's log and health.log) is
-- counted once.
local memory = tend.require("memory")

local function normalise(msg)
  msg = msg:gsub("/[%w%._%-/]+", "<path>")
  msg = msg:gsub("0x%x+", "<hex>")
  msg = msg:gsub("%d+%.?%d*", "<n>")
  return msg
end

local function log_files(home)
  local files = { memory.path(home, "logs", "health.log") }
  local dir = memory.path(home, "logs", "daemons")
  for _, name in ipairs(memory.list(dir, ".log")) do files[#files + 1] = memory.path(dir, name) end
  return files
end

return {
  summary = "Count recurring error messages in the logs into patterns.json",
  interval = 120,
  normalise = normalise,   -- exposed for tests and for other scripts

  tick = function(ctx)
    local seen, patterns = {}, {}
    for _, file in ipairs(log_files(ctx.home)) do
      for line in (tend.fs.read(file) or ""):gmatch("[^\n]+") do
        local ok, r = pcall(tend.json.decode, line)
        if ok and type(r) == "table" and (r.level == "error" or r.level == "critical") and type(r.msg) == "string" then
          local key = tostring(r.ts) .. "\0" .. tostring(r.daemon) .. "\0" .. r.msg
          if not seen[key] then
            seen[key] = true
            local pattern = normalise(r.msg)
            local p = patterns[pattern]
            if not p then
              p = { pattern = pattern, count = 0, example = r.msg, daemons = {}, first_seen = r.ts }
              patterns[pattern] = p
            end
            p.count = p.count + 1
            p.daemons[tostring(r.daemon)] = true
            if r.ts and (p.last_seen == nil or r.ts > p.last_seen) then p.last_seen = r.ts end
            if r.ts and (p.first_seen == nil or r.ts < p.first_seen) then p.first_seen = r.ts end
          end
        end
      end
    end
    local list = memory.array()
    for _, p in pairs(patterns) do
      local daemons = memory.array()
      for d in pairs(p.daemons) do daemons[#daemons + 1] = d end
      table.sort(daemons)
      p.daemons = daemons
      list[#list + 1] = p
    end
    table.sort(list, function(a, b)
      if a.count ~= b.count then return a.count > b.count end
      return a.pattern < b.pattern
    end)
    local written = memory.update_json(memory.path(ctx.home, "patterns.json"), { patterns = list }, "updated_at")
    if written then tend.log.info("patterns.json: " .. memory.plural(#list, "error pattern")) end
  end,
}
