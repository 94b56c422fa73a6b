-- Helpers shared by the startup steps (plugins/startup.lua) and the eight memory daemons:
-- paths, safe JSON files, time stamps, the context size, the project name.
--
--   local memory = tend.require("memory")
--
-- tend.require finds plugins/lib/NAME.lua on the plugin search path (a copy in
-- ~/.config/tend/plugins/lib/ shadows this one), runs it once per Lua state and caches it.
--
-- The memory files never have to exist: every reader copes with absent, empty and corrupt
-- files. A corrupt one is moved aside as FILE.corrupt-STAMP (kept for a person to look at,
-- out of the way of the next writer) and logged; it is never a crash.

local M = {}

-- Paths -------------------------------------------------------------------------------

function M.path(...)
  return (table.concat({ ... }, "/"):gsub("//+", "/"))
end

function M.basename(p)
  p = p:gsub("/+$", "")
  return p:match("([^/]+)$") or p
end

function M.dirname(p)
  local d = p:gsub("/+$", ""):match("^(.*)/[^/]*$")
  if d == nil then return "." end
  if d == "" then return "/" end
  return d
end

-- `path` relative to `base` when it lies under it (for messages).
function M.relative(base, path)
  if path:sub(1, #base + 1) == base .. "/" then return path:sub(#base + 2) end
  return path
end

-- Names in `dir` ending with `suffix`, sorted; {} when the directory is absent.
function M.list(dir, suffix)
  local names = tend.fs.list(dir) or {}
  local out = {}
  for _, n in ipairs(names) do
    if suffix == nil or n:sub(-#suffix) == suffix then out[#out + 1] = n end
  end
  return out
end

-- Time ----------------------------------------------------------------------------------

-- A UTC stamp for file names that sorts as time does: 20260209T101530.123Z
function M.stamp(t)
  return (tend.time.iso8601(t):gsub("[-:]", ""))
end

-- Numbers from the environment (daemons.lua sets them per daemon with env = {…}).
function M.env_number(name, default)
  local v = tonumber(os.getenv(name) or "")
  if v == nil or v < 0 then return default end
  return v
end

-- JSON files ----------------------------------------------------------------------------

-- Moves a file aside as FILE.corrupt-STAMP and returns the new path (nil, err on failure).
function M.move_aside(path)
  local dest = path .. ".corrupt-" .. M.stamp()
  local ok, err = tend.fs.rename(path, dest)
  if not ok then return nil, err end
  return dest
end

-- Reads a JSON object (or array) from `path`. Returns value, state, detail:
--   value, "ok"
--   nil, "absent"                     no such file
--   nil, "empty"                      only white space (or `null`)
--   nil, "corrupt", "moved to X"      not JSON, or not a table: moved aside and logged
function M.read_json(path)
  if not tend.fs.exists(path) then return nil, "absent" end
  local text, err = tend.fs.read(path)
  if text == nil then return nil, "corrupt", err end
  if text:match("^%s*$") then return nil, "empty" end
  local value, perr = tend.json.decode(text)
  if value == nil and perr == nil then return nil, "empty" end
  if type(value) == "table" then return value, "ok" end
  local why = perr or ("holds a " .. type(value) .. ", not an object")
  local dest, merr = M.move_aside(path)
  local detail = dest and ("moved to " .. M.basename(dest)) or ("could not move it aside: " .. tostring(merr))
  tend.log.warning(path .. " is corrupt (" .. why .. "); " .. detail, { path = path, moved_to = dest })
  return nil, "corrupt", detail
end

-- An empty table that encodes as a JSON array `[]` (an empty table is `{}` otherwise).
function M.array(t)
  return setmetatable(t or {}, { __jsonarray = true })
end

-- Writes `value` as JSON (parent folders created). Returns true or nil, err.
function M.write_json(path, value)
  local ok, err = tend.fs.mkdir(M.dirname(path))
  if not ok then return nil, err end
  return tend.fs.write(path, tend.json.encode(value) .. "\n")
end

-- Writes `value` only when it differs from the file's content, ignoring the time stamp
-- field `stamp_key` (set to now when written): files change only when their content
-- does, so the commit daemon does not commit a new time stamp every tick.
-- Returns true when written, false when unchanged (nil, err on failure).
function M.update_json(path, value, stamp_key)
  local old = M.read_json(path)
  if old ~= nil then
    old[stamp_key] = nil
    value[stamp_key] = nil
    if tend.json.encode(old) == tend.json.encode(value) then return false end
  end
  value[stamp_key] = tend.time.iso8601()
  local ok, err = M.write_json(path, value)
  if not ok then return nil, err end
  return true
end

-- Memory layout ---------------------------------------------------------------------------

function M.session_file(home) return M.path(home, "sessions", "current.json") end
function M.history_dir(home) return M.path(home, "sessions", "history") end
function M.settings_file(home) return M.path(home, "context", "settings.json") end

M.default_settings = { max_context_bytes = 200000 }

-- The context settings with defaults filled in, and the read state ("ok", "absent", …).
function M.settings(home)
  local s, state, detail = M.read_json(M.settings_file(home))
  local out = {}
  for k, v in pairs(M.default_settings) do out[k] = v end
  if s then for k, v in pairs(s) do out[k] = v end end
  if type(out.max_context_bytes) ~= "number" or out.max_context_bytes <= 0 then
    out.max_context_bytes = M.default_settings.max_context_bytes
  end
  return out, state, detail
end

-- What an assistant loads as context at the start of a session: the live session, every
-- project's CLAUDE.md, and the files in context/ (not Tend's own settings and status).
-- Returns total bytes and the list of files counted.
function M.context_files(home)
  local files = {}
  local function add(p)
    local st = tend.fs.stat(p)
    if st and not st.is_dir then files[#files + 1] = { path = p, size = st.size } end
  end
  add(M.session_file(home))
  local projects = M.path(home, "projects")
  for _, name in ipairs(M.list(projects)) do add(M.path(projects, name, "CLAUDE.md")) end
  local ctxdir = M.path(home, "context")
  for _, name in ipairs(M.list(ctxdir)) do
    if name ~= "settings.json" and name ~= "status.json" and not name:find("%.corrupt%-") then
      add(M.path(ctxdir, name))
    end
  end
  local total = 0
  for _, f in ipairs(files) do total = total + f.size end
  return total, files
end

-- The session's tasks that are not done: { {id, title, status}, … }.
function M.incomplete_tasks(session)
  local out = {}
  if type(session) ~= "table" or type(session.tasks) ~= "table" then return out end
  for _, t in ipairs(session.tasks) do
    if type(t) == "table" and t.status ~= "done" then out[#out + 1] = t end
  end
  return out
end

-- Projects --------------------------------------------------------------------------------

-- The project of a directory: its git top level's name, else the folder's own name.
-- Returns name, root. Names are made safe as folder names under projects/.
function M.project(dir)
  local root = dir
  local r = tend.process.run({ "git", "-C", dir, "rev-parse", "--show-toplevel" }, { timeout = 5 })
  if r and r.code == 0 then
    local top = r.stdout:match("^%s*(.-)%s*$")
    if top ~= "" and top:sub(1, 1) == "/" then root = top end
  end
  local name = M.basename(root):gsub("[^%w%._%-]", "-")
  if name == "" or name:sub(1, 1) == "." then name = "project" .. name end
  return name, root
end

-- Words -----------------------------------------------------------------------------------

function M.human_bytes(n)
  if n < 1000 then return string.format("%d B", n) end
  if n < 1000 * 1000 then return string.format("%.1f KB", n / 1000) end
  return string.format("%.1f MB", n / 1000 / 1000)
end

function M.plural(n, one, many)
  return string.format("%d %s", n, n == 1 and one or (many or one .. "s"))
end

return M
