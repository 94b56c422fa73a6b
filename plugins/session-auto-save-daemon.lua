-- session-auto-save-daemon: when sessions/current.json changes (content hash), snapshots
-- it to sessions/history/<UTC time>.json. A corrupt session file is moved aside (logged)
-- rather than snapshotted.
local memory = tend.require("memory")

-- The hash of the newest snapshot, so a restarted daemon does not save the same content again.
local function newest_snapshot_hash(dir)
  local names = memory.list(dir, ".json")
  if #names == 0 then return nil end
  return tend.fs.hash(memory.path(dir, names[#names]))
end

return {
  summary = "Snapshot sessions/current.json to sessions/history/ when its content changes",
  interval = 30,

  tick = function(ctx)
    local file = memory.session_file(ctx.home)
    local dir = memory.history_dir(ctx.home)
    local session = memory.read_json(file)
    if session == nil then return end   -- absent, empty, or corrupt (moved aside and logged)
    local hash = assert(tend.fs.hash(file))
    if ctx.state.last_hash == nil then ctx.state.last_hash = newest_snapshot_hash(dir) end
    if hash == ctx.state.last_hash then return end
    local text = assert(tend.fs.read(file))
    assert(tend.fs.mkdir(dir))
    local snapshot = memory.path(dir, memory.stamp() .. ".json")
    assert(tend.fs.write(snapshot, text))
    ctx.state.last_hash = hash
    tend.log.info("saved " .. memory.relative(ctx.home, snapshot), { hash = hash, bytes = #text })
  end,
}
