-- Healthy while a command exits 0 within `timeout` seconds (default 10). The command runs
-- in its own process group, which is killed if it overruns.
--   health = { check = "command_ok", command = {"/usr/bin/curl", "-fsS", "http://127.0.0.1:8080/health"}, timeout = 5 }

return {
  timeout = 10,   -- the check's time budget when daemons.lua gives no timeout
  check = function(daemon, args)
    local argv = args.command
    if type(argv) ~= "table" or type(argv[1]) ~= "string" then
      error('command_ok needs a command: health = { check = "command_ok", command = {"/bin/true"} }')
    end
    local timeout = args.timeout or 10
    local result, err = tend.process.run(argv, { timeout = timeout })
    if not result then
      return false, err
    end
    if result.timed_out then
      return false, string.format("%s did not finish within %gs (killed)", argv[1], timeout)
    end
    if result.code == 0 then
      return true, argv[1] .. " exited 0"
    end
    local last = result.stdout:match("([^\n]+)\n*$") or ""
    local how = result.code and ("exited with code " .. result.code) or ("was killed by " .. tostring(result.signal))
    return false, string.format("%s %s%s", argv[1], how, last ~= "" and (": " .. last) or "")
  end,
}
