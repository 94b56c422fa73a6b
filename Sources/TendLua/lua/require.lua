-- tend.require(NAME): shared Lua code in plugins/lib/NAME.lua, found by name on the
-- script search path (the config dir's copy first, then the one shipped with tend) and
-- never by a path. Each library runs once per Lua state, in a global table of its own,
-- and what it returns is cached.
--
-- The lookup is a package.searchers entry, so in plugins (which keep Lua's whole
-- library) plain require("NAME") finds the same files and tend.require is require limited
-- to library names. Sandboxed scripts (policies, health checks, daemons.lua) have no
-- package library: their require and tend.require are the function below, with a cache
-- of their own, and reach nothing but plugins/lib.
--
-- Compiled into tend (Sources/TendLua/lua/). The host passes two primitives:
--   locate(name)       -> path, or nil and why ("no library 'x' (looked in A, B)",
--                         "'../x' is not a library name: ...")
--   compile(path, env) -> the file's main chunk with env as its globals, or nil and error
-- and environments.lua calls the factory returned here once per environment.

local locate, compile = ...
local error, pcall, require, insert, searchers = error, pcall, require, table.insert, package.searchers

-- tend.require for one environment: `new_env()` gives a library its global table there.
-- `cache` is the sandbox's own table of loaded libraries; nil for the full environment,
-- whose cache is package.loaded and whose package.searchers gets the lookup.
return function(new_env, cache)
  local loading = {}

  local function loader(name, path)
    if loading[name] then
      error("library '" .. name .. "' requires itself (circular tend.require)", 0)
    end
    local chunk, err = compile(path, new_env())
    if not chunk then error(err, 0) end
    loading[name] = true
    local ok, value = pcall(chunk, name, path)
    loading[name] = nil
    if not ok then error(value, 0) end
    if value == nil then value = true end   -- as require does
    return value
  end

  local function searcher(name)
    local path, why = locate(name)
    if not path then return "\n\t" .. why end
    return loader, path
  end

  local function require_library(name)
    -- A sandbox's cache holds libraries only, so a hit needs no look at the disk. The
    -- full environment's package.loaded also holds Lua's own modules, which are not
    -- libraries: there the name is located first, so tend.require("string") is refused.
    if cache and cache[name] ~= nil then return cache[name] end
    local path, why = locate(name)
    if not path then error(why, 2) end
    if not cache then return (require(name)) end
    local value = loader(name, path)
    cache[name] = value
    return value
  end

  if not cache then insert(searchers, 2, searcher) end   -- after package.preload
  return require_library
end
