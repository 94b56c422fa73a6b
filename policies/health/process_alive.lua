-- Healthy while the daemon's process (the PID the monitor verified) is alive.
--   health = "process_alive"

return {
  check = function(daemon)
    if not daemon.pid then
      return false, "no process (no verified PID)"
    end
    local info = tend.process.info(daemon.pid)
    if not info then
      return false, string.format("process %d is not running", daemon.pid)
    end
    return true, string.format("process %d (%s) is alive", daemon.pid, info.name)
  end,
}
