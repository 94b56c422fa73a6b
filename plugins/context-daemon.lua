-- context-daemon: measures the context an assistant loads (the live session, every
-- project's CLAUDE.md, the files in context/) into context/status.json, and warns when
-- it crosses the limit of context/settings.json (max_context_bytes).
local memory = tend.require("memory")

return {
  summary = "Measure the context size into context/status.json; warn above max_context_bytes",
  interval = 60,

  tick = function(ctx)
    local settings = memory.settings(ctx.home)
    local bytes, files = memory.context_files(ctx.home)
    local limit = settings.max_context_bytes
    local over = bytes > limit
    memory.update_json(memory.path(ctx.home, "context", "status.json"), {
      bytes = bytes,
      limit = limit,
      percent = math.floor(bytes * 100 / limit),
      over_limit = over,
      files = #files,
    }, "measured_at")
    -- Say it when it crosses the limit, not every tick while it stays there.
    if over and not ctx.state.over then
      tend.log.warning(string.format("context is %s, above its limit of %s", memory.human_bytes(bytes),
                                     memory.human_bytes(limit)), { bytes = bytes, limit = limit })
    elseif not over and ctx.state.over then
      tend.log.info("context back under its limit: " .. memory.human_bytes(bytes))
    end
    ctx.state.over = over
  end,
}
