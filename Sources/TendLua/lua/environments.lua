-- The global tables scripts run in, one deliberate environment per role (the reference:
-- docs/lua-api.md, "Environments", generated from the tables built here).
--
--   full     plugins and the startup sequence: Lua's whole library. They run in
--            processes of their own (`tend run NAME`, `tend startup`), which they may end,
--            block or bloat without harm to the monitor.
--   sandbox  restart policies, health checks and daemons.lua, which run in the script
--            worker beside every other daemon's scripts: no way to end, block or replace
--            that process (os.exit, os.execute, io.popen, io.read), to write files
--            outside tend.fs, or to load code from outside the script search path
--            (package, dofile, loadfile, C modules, binary chunks, debug but traceback).
--
-- Every script (and every library it requires) gets a table of its own over its
-- environment's base, so nothing it assigns leaks into another script; `_G` in a script
-- is that script's own table. The bases are built once per Lua state.
--
-- Compiled into tend and run once per Lua state, after the `tend` table exists. The host
-- passes two primitives: sync_hook(co) gives a coroutine the running thread's budget
-- hook; make_require is require.lua's factory.

local sync_hook, make_require = ...
local G, tend = _G, tend
local setmetatable, pairs, ipairs, error, tostring, type = setmetatable, pairs, ipairs, error, tostring, type
local pack, unpack = table.pack, table.unpack

local M = {}

function M.new(meta)
  local env = setmetatable({}, meta)
  env._G = env
  return env
end

-- Coroutines, in every environment: a coroutine runs under the budget of the call that
-- resumes it, so one that loops forever is stopped like any loop.
do
  local create, resume = coroutine.create, coroutine.resume
  function coroutine.resume(co, ...)
    sync_hook(co)
    return resume(co, ...)
  end
  function coroutine.wrap(f)
    local co = create(f)
    return function(...)
      sync_hook(co)
      local r = pack(resume(co, ...))
      if r[1] then return unpack(r, 2, r.n) end
      error(r[2], type(r[2]) == "string" and 2 or 0)
    end
  end
end

-- The full environment.
M.full = { __index = G, __metatable = false }
tend.require = make_require(function() return M.new(M.full) end, nil)

-- The sandbox.
local function copy(t, names)
  local c = {}
  if names then
    for _, k in ipairs(names) do c[k] = t[k] end
  else
    for k, v in pairs(t) do c[k] = v end
  end
  return c
end

local io_open, io_lines, load, collectgarbage = io.open, io.lines, load, collectgarbage

local base = copy(G, {
  "assert", "error", "getmetatable", "ipairs", "next", "pairs", "pcall", "print", "rawequal",
  "rawget", "rawlen", "rawset", "select", "setmetatable", "tonumber", "tostring", "type",
  "warn", "xpcall", "_VERSION",
})
base.string = copy(string)
base.table = copy(table)
base.math = copy(math)
base.utf8 = copy(utf8)
base.coroutine = copy(coroutine)
base.os = copy(os, { "clock", "date", "difftime", "getenv", "time" })
base.debug = { traceback = debug.traceback }

-- Files are read here, never written (tend.fs.write and tend.fs.append do that).
base.io = {
  open = function(path, mode)
    if mode ~= nil and mode ~= "r" and mode ~= "rb" then
      error("io.open: mode '" .. tostring(mode) .. "': files are only read here; write with tend.fs.write or tend.fs.append", 2)
    end
    return io_open(path, mode)
  end,
  lines = function(path, ...)
    if path == nil then error("io.lines: give a file name (standard input is not for scripts)", 2) end
    return io_lines(path, ...)
  end,
  type = io.type,
}

-- Text chunks only (a binary chunk can crash the state), run in a sandbox table of their
-- own unless given one.
function base.load(chunk, name, mode, env)
  if mode ~= nil and mode ~= "t" then return nil, "load: only text chunks here (mode \"t\")" end
  return load(chunk, name, "t", env or M.new(M.sandbox))
end

-- The collector is shared by every script of the state: they may run it, not stop or
-- retune it.
local gc_options = { collect = true, count = true, step = true }
function base.collectgarbage(option, ...)
  if option ~= nil and not gc_options[option] then
    error("collectgarbage('" .. tostring(option) .. "') is not available here (the collector is shared by every script of this Lua state)", 2)
  end
  return collectgarbage(option, ...)
end

-- tend, without the calls that make the monitor act (start, stop, restart daemons, or
-- start a monitor): a script the monitor is waiting for must not ask it for something.
base.tend = copy(tend)
base.tend.daemons = copy(tend.daemons, { "list", "status", "health", "monitor_running" })

M.sandbox = { __index = base, __metatable = false }
base.require = make_require(function() return M.new(M.sandbox) end, {})
base.tend.require = base.require

-- The base of each environment, for the generated reference.
M.bases = { full = G, sandbox = base }

return M
