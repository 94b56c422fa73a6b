-- failure-prevention-daemon: turns error patterns seen at least THRESHOLD times (in
-- patterns.json, from the pattern-detection daemon) into rules in failures/rules.json,
-- and records each new rule as a policy hit (logs/policy-hits.log). Override the
-- threshold per daemon in daemons.lua with env = { TEND_FAILURE_THRESHOLD = "5" }.
local memory = tend.require("memory")

return {
  summary = "Turn recurring error patterns into rules in failures/rules.json (policy hits)",
  interval = 120,

  tick = function(ctx)
    local threshold = memory.env_number("TEND_FAILURE_THRESHOLD", 3)
    local patterns = memory.read_json(memory.path(ctx.home, "patterns.json")) or {}
    local file = memory.path(ctx.home, "failures", "rules.json")
    local existing = memory.read_json(file) or {}
    local by_pattern = {}
    for _, rule in ipairs(type(existing.rules) == "table" and existing.rules or {}) do
      if type(rule) == "table" and rule.pattern then by_pattern[rule.pattern] = rule end
    end
    local added = 0
    for _, p in ipairs(type(patterns.patterns) == "table" and patterns.patterns or {}) do
      if type(p) == "table" and type(p.count) == "number" and p.count >= threshold and p.pattern then
        local rule = by_pattern[p.pattern]
        if not rule then
          rule = { pattern = p.pattern, action = "warn", created_at = tend.time.iso8601(),
                   reason = string.format("seen %d times (threshold %d)", p.count, threshold) }
          by_pattern[p.pattern] = rule
          added = added + 1
          tend.log.policy_hit("failure-prevention", "rule_added", p.pattern,
                              { count = p.count, threshold = threshold, example = p.example })
        end
        rule.count, rule.daemons, rule.example, rule.last_seen = p.count, p.daemons, p.example, p.last_seen
      end
    end
    local rules = memory.array()
    for _, rule in pairs(by_pattern) do rules[#rules + 1] = rule end
    table.sort(rules, function(a, b) return a.pattern < b.pattern end)
    memory.update_json(file, { rules = rules, threshold = threshold }, "updated_at")
    if added > 0 then tend.log.info("added " .. memory.plural(added, "rule") .. " to failures/rules.json") end
  end,
}
