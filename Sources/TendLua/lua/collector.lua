-- The `daemon` function of daemons.lua. `daemon "x" { ... }` is `daemon("x")({ ... })`;
-- `daemon("x", { ... })` works too. It only records each declaration and the line it was
-- written on; the host then validates every one (Sources/TendLua/Config/).
--
-- Compiled into tend and run once per Lua state: it returns a factory, called once per
-- load of daemons.lua, that gives a fresh `daemon` function and the list it fills.

local getinfo, tostring, error = debug.getinfo, tostring, error

return function()
  local decls = {}
  local function daemon(name, body)
    local info = getinfo(2, "Sl")
    local decl = { name = name, line = info and info.currentline or 0, source = info and info.source }
    decls[#decls + 1] = decl
    if body ~= nil then decl.body, decl.given = body, true; return end
    return function(b)
      if decl.given then error("daemon " .. tostring(name) .. ": body given twice", 2) end
      decl.body, decl.given = b, true
    end
  end
  return daemon, decls
end
