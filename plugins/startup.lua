-- The startup sequence: `tend startup [--project DIR]` runs these steps in order and prints
-- each as `[i/N] Title...` then `[OK]`, `[WARN]` or `[FAIL]` with the message.
--
-- Copy this file to ~/.config/tend/plugins/startup.lua to change it: steps can be added,
-- removed and reordered; no rebuild. A step is
--   { title = "…", budget = seconds?, run = function(ctx) return "ok"|"warn"|"fail", "message" end }
-- A step that raises, or runs past its budget (default 30 s), is reported as [FAIL] with
-- its file:line, and the rest still run. The run exits 1 only if a step failed.
--
-- ctx = { home, config_dir, project_dir, state = {} (shared by the steps), args, index, total }

local memory = tend.require("memory")

-- How long step 9 waits for the daemons to come up.
local HEALTH_WAIT = 15

-- The project (name, root) of ctx.project_dir, worked out once per run.
local function project(ctx)
  if not ctx.state.project then
    local name, root = memory.project(ctx.project_dir)
    ctx.state.project = { name = name, root = root }
  end
  return ctx.state.project.name, ctx.state.project.root
end

-- "sessions/current.json was corrupt; moved to current.json.corrupt-…"
local function corrupt(ctx, path, detail)
  return memory.relative(ctx.home, path) .. " was corrupt; " .. detail
end

local function list_names(items, key, limit)
  local names = {}
  for i, item in ipairs(items) do
    if i > limit then names[#names + 1] = "…"; break end
    names[#names + 1] = key(item)
  end
  return table.concat(names, ", ")
end

-- 1. Context settings exist; the context size against its limit.
local function init_context(ctx)
  local file = memory.settings_file(ctx.home)
  local settings, state, detail = memory.settings(ctx.home)
  local notes = {}
  if state ~= "ok" then
    local stored = {}
    for k, v in pairs(memory.default_settings) do stored[k] = v end
    assert(memory.write_json(file, stored))
    if state == "corrupt" then notes[#notes + 1] = corrupt(ctx, file, detail) .. "; defaults written" end
  end
  local bytes = memory.context_files(ctx.home)
  local limit = settings.max_context_bytes
  local size = string.format("context %s of %s (%d%%)", memory.human_bytes(bytes), memory.human_bytes(limit),
                             math.floor(bytes * 100 / limit))
  if state == "corrupt" then return "warn", notes[1] .. "; " .. size end
  if bytes > limit then return "warn", "Context over its limit: " .. size end
  return "ok", "Context optimization initialized: " .. size
end

-- 2. The saved session and its tasks.
local function load_session(ctx)
  local file = memory.session_file(ctx.home)
  local session, state, detail = memory.read_json(file)
  if state == "corrupt" then return "warn", corrupt(ctx, file, detail) .. "; starting without a session" end
  if session == nil then return "ok", "No saved session" end
  local tasks = type(session.tasks) == "table" and session.tasks or {}
  local open = #memory.incomplete_tasks(session)
  local id = session.id and (" " .. tostring(session.id)) or ""
  return "ok", string.format("Session%s loaded: %s (%d open)", id, memory.plural(#tasks, "task"), open)
end

-- 3. PID files that name dead (or other) processes.
local function clean_pids(ctx)
  local result = tend.pid.cleanup()
  if #result.removed == 0 then return "ok", "No stale PIDs found" end
  local names = list_names(result.removed, function(r)
    return r.pid and (r.daemon .. " (pid " .. r.pid .. ")") or r.daemon
  end, 8)
  return "ok", "Removed " .. memory.plural(#result.removed, "stale PID file") .. ": " .. names
end

-- 4. The project's own CLAUDE.md, kept under projects/NAME/ (previous copy as .bak).
local function migrate_claude_md(ctx)
  local source = memory.path(ctx.project_dir, "CLAUDE.md")
  if not tend.fs.exists(source) then return "ok", "No local CLAUDE.md found" end
  local name = project(ctx)
  local dest = memory.path(ctx.home, "projects", name, "CLAUDE.md")
  local rel = memory.relative(ctx.home, dest)
  local text = assert(tend.fs.read(source))
  if tend.fs.exists(dest) then
    if tend.fs.hash(dest) == tend.fs.hash(source) then return "ok", "CLAUDE.md unchanged (" .. rel .. ")" end
    assert(tend.fs.write(dest .. ".bak", assert(tend.fs.read(dest))))
    assert(tend.fs.write(dest, text))
    return "ok", "Migrated CLAUDE.md to " .. rel .. " (previous copy kept as CLAUDE.md.bak)"
  end
  assert(tend.fs.mkdir(memory.dirname(dest)))
  assert(tend.fs.write(dest, text))
  return "ok", "Migrated CLAUDE.md to " .. rel
end

-- The `name` and `description` of a SKILL.md front matter block (--- … ---).
local function front_matter(text)
  local block = text:match("^%-%-%-\r?\n(.-)\r?\n%-%-%-")
  if not block then return nil, "no front matter (--- … ---)" end
  local fields = {}
  for line in (block .. "\n"):gmatch("(.-)\r?\n") do
    local k, v = line:match("^([%w_%-]+):%s*(.-)%s*$")
    if k then fields[k] = v:gsub('^"(.*)"$', "%1"):gsub("^'(.*)'$", "%1") end
  end
  if not fields.name or fields.name == "" then return nil, "no name in front matter" end
  if not fields.description or fields.description == "" then return nil, "no description in front matter" end
  return fields
end

-- 5. skills/*/SKILL.md → skills/registry.json.
local function register_skills(ctx)
  local dir = memory.path(ctx.home, "skills")
  local skills, bad = memory.array(), {}
  for _, folder in ipairs(memory.list(dir)) do
    local file = memory.path(dir, folder, "SKILL.md")
    if tend.fs.is_dir(memory.path(dir, folder)) and tend.fs.exists(file) then
      local text = tend.fs.read(file) or ""
      local fields, why = front_matter(text)
      if fields then
        skills[#skills + 1] = { name = fields.name, description = fields.description,
                                path = memory.relative(ctx.home, file) }
      else
        bad[#bad + 1] = folder .. " (" .. why .. ")"
      end
    end
  end
  local registry = memory.path(dir, "registry.json")
  local _, state, detail = memory.read_json(registry)   -- a corrupt registry is moved aside
  if #skills == 0 and #bad == 0 and state ~= "ok" and state ~= "corrupt" then
    return "ok", "No skills to register"
  end
  local written, err = memory.update_json(registry, { skills = skills }, "updated_at")
  if written == nil then error("cannot write skills/registry.json: " .. err) end
  local done = "Registered " .. memory.plural(#skills, "skill")
  local problems = {}
  if #bad > 0 then problems[#problems + 1] = "skipped " .. table.concat(bad, ", ") end
  if state == "corrupt" then problems[#problems + 1] = corrupt(ctx, registry, detail) end
  if #problems > 0 then return "warn", done .. "; " .. table.concat(problems, "; ") end
  return "ok", done
end

-- 6. Tasks of the session that are not done.
local function incomplete_work(ctx)
  local file = memory.session_file(ctx.home)
  local session, state, detail = memory.read_json(file)
  if state == "corrupt" then return "warn", corrupt(ctx, file, detail) .. "; no tasks to check" end
  local open = memory.incomplete_tasks(session)
  if #open == 0 then return "ok", "No incomplete work" end
  return "warn", memory.plural(#open, "incomplete task") .. ": " .. list_names(open, function(t)
    return tostring(t.title or t.id or "?") .. " (" .. tostring(t.status or "no status") .. ")"
  end, 5)
end

-- 7. Every configured daemon, through the monitor (started first if none runs).
local function start_daemons(ctx)
  local result, err = tend.daemons.start_all()
  if not result then return "fail", "Cannot start daemons: " .. err end
  ctx.state.monitor_started = result.monitor_started
  local started, already, failed = 0, 0, {}
  for _, item in ipairs(result.items) do
    if not item.ok then failed[#failed + 1] = item.daemon .. " (" .. item.message .. ")"
    elseif item.already then already = already + 1
    else started = started + 1 end
  end
  if #result.items == 0 then return "warn", "No daemons configured" end
  if #failed > 0 then
    return "fail", string.format("%d of %d daemons did not start: %s", #failed, #result.items, table.concat(failed, "; "))
  end
  if started == 0 then return "ok", "All " .. memory.plural(already, "daemon") .. " already running" end
  if already > 0 then return "ok", "Started " .. memory.plural(started, "daemon") .. " (" .. already .. " already running)" end
  return "ok", "Started " .. memory.plural(started, "daemon")
end

-- 8. The monitor (supervisor and health checker in one): say whether it was running.
local function start_monitor(ctx)
  local running, pid = tend.daemons.monitor_running()
  if running then
    if ctx.state.monitor_started then return "ok", "Health monitor started (pid " .. pid .. ")" end
    return "ok", "Health monitor already running (pid " .. pid .. ")"
  end
  local new_pid, started = tend.daemons.ensure_monitor()
  if not new_pid then return "fail", "Cannot start the health monitor: " .. tostring(started) end
  return "ok", "Health monitor started (pid " .. new_pid .. ")"
end

-- 9. Wait (bounded) until every daemon is up and ready (its check, if it has one, passed
-- since it started), and not a moment longer: asked every 50 ms, answered by the monitor.
local function verify_health(ctx)
  local deadline = tend.time.monotonic() + HEALTH_WAIT
  local h, err
  while true do
    h, err = tend.daemons.health()
    if not h then return "fail", "Cannot read daemon health: " .. err end
    if h.healthy == h.total or tend.time.monotonic() > deadline then break end
    tend.time.sleep(0.05)
  end
  if h.total == 0 then return "warn", "No daemons configured" end
  if h.healthy == h.total then
    return "ok", string.format("All %d daemons healthy (%d%%)", h.total, h.percent)
  end
  local sick = {}
  for _, d in ipairs(h.daemons) do
    if not d.healthy then sick[#sick + 1] = d.daemon .. " (" .. d.reason .. ")" end
  end
  return "warn", string.format("%d/%d daemons healthy (%d%%); not healthy: %s", h.healthy, h.total, h.percent,
                               table.concat(sick, "; "))
end

-- 10. projects/NAME/project.json: created on first sight, updated after.
local function load_project(ctx)
  local name, root = project(ctx)
  local file = memory.path(ctx.home, "projects", name, "project.json")
  local info, state, detail = memory.read_json(file)
  local now = tend.time.iso8601()
  if info == nil then
    assert(memory.write_json(file, { name = name, path = root, created_at = now, last_loaded_at = now, loads = 1 }))
    if state == "corrupt" then return "warn", corrupt(ctx, file, detail) .. "; New project: " .. name end
    return "ok", "New project: " .. name
  end
  info.name, info.path, info.last_loaded_at = name, root, now
  info.loads = (tonumber(info.loads) or 0) + 1
  assert(memory.write_json(file, info))
  return "ok", "Loaded project: " .. name
end

return {
  title = "Memory System Startup v2.0",
  summary = "The startup sequence of `tend startup` (ten steps)",
  steps = {
    { title = "Initializing context optimization", run = init_context },
    { title = "Loading session state", run = load_session },
    { title = "Cleaning up stale PIDs", run = clean_pids },
    { title = "Checking for local CLAUDE.md", run = migrate_claude_md },
    { title = "Auto-registering skills", run = register_skills },
    { title = "Checking for incomplete work", run = incomplete_work },
    { title = "Starting all daemons", run = start_daemons, budget = 60 },
    { title = "Starting health monitor", run = start_monitor, budget = 30 },
    { title = "Verifying daemon health", run = verify_health, budget = HEALTH_WAIT + 15 },
    { title = "Loading project context", run = load_project },
  },
}
