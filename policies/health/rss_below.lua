-- Healthy while the daemon's resident memory stays below `mb` megabytes (MiB).
--   health = { check = "rss_below", mb = 200 }

return {
  check = function(daemon, args)
    if type(args.mb) ~= "number" then
      error('rss_below needs mb: health = { check = "rss_below", mb = 200 }')
    end
    local info = daemon.pid and tend.process.info(daemon.pid)
    if not info then
      return false, "no running process to measure"
    end
    local mb = info.rss_bytes / (1024 * 1024)
    if mb >= args.mb then
      return false, string.format("RSS %.1f MB, limit %g MB", mb, args.mb)
    end
    return true, string.format("RSS %.1f MB (limit %g MB)", mb, args.mb)
  end,
}
