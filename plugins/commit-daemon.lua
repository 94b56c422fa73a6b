-- commit-daemon: when the memory folder (the home) is a git repository with changes,
-- commits them with a dated message. Tend's own state (logs, PID and state files, the
-- monitor's files) is left out: it changes all the time and belongs to no memory. When
-- the home is not a repository it says so once and idles (`git init` there to start).
local memory = tend.require("memory")

-- Tend's files, never committed.
local EXCLUDE = { ":(exclude)logs", ":(exclude).pids", ":(exclude).state", ":(exclude).restarts",
                  ":(exclude).fifo", ":(exclude)monitor.*" }

local function git(home, args, timeout)
  local argv = { "git", "-C", home }
  for _, a in ipairs(args) do argv[#argv + 1] = a end
  return tend.process.run(argv, { timeout = timeout or 10 })
end

local function with_pathspec(args)
  args[#args + 1] = "--"
  args[#args + 1] = "."
  for _, e in ipairs(EXCLUDE) do args[#args + 1] = e end
  return args
end

local function first_line(text) return (text or ""):match("^%s*([^\n]*)") end

return {
  summary = "Commit the memory folder's changes to git (if it is a repository)",
  interval = 300,

  tick = function(ctx)
    -- The home itself must be the top of a work tree (not a folder inside another repo).
    local top = git(ctx.home, { "rev-parse", "--show-prefix" })
    if not top or top.code ~= 0 or first_line(top.stdout) ~= "" then
      if not ctx.state.said_not_repo then
        tend.log.info(ctx.home .. " is not a git repository: nothing to commit (run `git init` there to keep its history)")
        ctx.state.said_not_repo = true
      end
      return
    end
    ctx.state.said_not_repo = nil
    local status = assert(git(ctx.home, with_pathspec({ "status", "--porcelain" })))
    if status.code ~= 0 then error("git status failed: " .. first_line(status.stdout)) end
    local changed = 0
    for _ in status.stdout:gmatch("[^\n]+") do changed = changed + 1 end
    if changed == 0 then return end
    local add = assert(git(ctx.home, with_pathspec({ "add", "-A" })))
    if add.code ~= 0 then error("git add failed: " .. first_line(add.stdout)) end
    -- Someone else's identity is never overridden; one is only supplied when none is set.
    local args = {}
    local who = git(ctx.home, { "config", "user.email" })
    if not who or who.code ~= 0 then args = { "-c", "user.name=tend", "-c", "user.email=tend@localhost" } end
    for _, a in ipairs({ "commit", "--quiet", "--no-verify", "-m", "memory: " .. tend.time.iso8601() }) do
      args[#args + 1] = a
    end
    local commit = assert(git(ctx.home, args, 30))
    if commit.code ~= 0 then error("git commit failed: " .. first_line(commit.stdout)) end
    local head = git(ctx.home, { "rev-parse", "--short", "HEAD" })
    tend.log.info(string.format("committed %s (%s)", memory.plural(changed, "change"),
                                head and first_line(head.stdout) or "?"))
  end,
}
