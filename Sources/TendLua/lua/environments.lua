-- The global tables scripts run in. Every script (and every library it requires) gets a
-- table of its own, so nothing it assigns leaks into another script; reads fall through
-- to its environment's base. `_G` in a script is that script's own table.
--
-- Compiled into tend and run once per Lua state; the host keeps the metatables it returns
-- and gives each new script environment one of them.

local setmetatable, G = setmetatable, _G

local M = {}

-- Plugins and the startup sequence (their own processes): Lua's whole library.
M.full = { __index = G, __metatable = false }

-- A fresh environment over one of the metatables above.
function M.new(meta)
  local env = setmetatable({}, meta)
  env._G = env
  return env
end

return M
