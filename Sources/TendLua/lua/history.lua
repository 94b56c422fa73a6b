-- The methods of the restart history a policy's decide(daemon, exit, history, now)
-- receives: an array of events { time, reason, old_pid, new_pid, success, manual },
-- oldest first. Compiled into tend (Sources/TendLua/lua/), run once per Lua state; the
-- host gives every history table this metatable.

local History = {}
History.__index = History

-- Automatic (policy) restarts at or after time t; manual ones never count.
function History:since(t)
  local out = setmetatable({}, History)
  for _, e in ipairs(self) do
    if not e.manual and e.time >= t then out[#out + 1] = e end
  end
  return out
end

-- Every restart at or after time t, manual ones included.
function History:all_since(t)
  local out = setmetatable({}, History)
  for _, e in ipairs(self) do
    if e.time >= t then out[#out + 1] = e end
  end
  return out
end

-- The newest event, or nil.
function History:last()
  return self[#self]
end

return History
