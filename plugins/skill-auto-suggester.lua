-- skill-auto-suggester: ranks the skills of skills/registry.json (written by the startup
-- sequence) against the session's `topics` into skills/suggestions.json: a skill scores
-- one point per topic found among the words of its name and description.
local memory = tend.require("memory")

local function words(text)
  local set = {}
  for w in tostring(text or ""):lower():gmatch("[%w_]+") do set[w] = true end
  return set
end

return {
  summary = "Rank registered skills against the session's topics into skills/suggestions.json",
  interval = 120,

  tick = function(ctx)
    local registry = memory.read_json(memory.path(ctx.home, "skills", "registry.json")) or {}
    local session = memory.read_json(memory.session_file(ctx.home)) or {}
    local topics = {}
    for _, t in ipairs(type(session.topics) == "table" and session.topics or {}) do
      if type(t) == "string" and t ~= "" then topics[#topics + 1] = t:lower() end
    end
    local suggestions = memory.array()
    for _, skill in ipairs(type(registry.skills) == "table" and registry.skills or {}) do
      local have = words(tostring(skill.name) .. " " .. tostring(skill.description))
      local matched = memory.array()
      for _, topic in ipairs(topics) do
        local all = true
        for w in topic:gmatch("[%w_]+") do if not have[w] then all = false end end
        if all then matched[#matched + 1] = topic end
      end
      if #matched > 0 then
        suggestions[#suggestions + 1] = { name = skill.name, score = #matched, matched = matched }
      end
    end
    table.sort(suggestions, function(a, b)
      if a.score ~= b.score then return a.score > b.score end
      return tostring(a.name) < tostring(b.name)
    end)
    local written = memory.update_json(memory.path(ctx.home, "skills", "suggestions.json"),
                                       { topics = memory.array(topics), suggestions = suggestions }, "updated_at")
    if written then tend.log.info("skills/suggestions.json: " .. memory.plural(#suggestions, "suggestion")) end
  end,
}
