-- Healthy while a file was modified within the last max_age seconds (a heartbeat file,
-- a log the daemon writes).
--   health = { check = "file_fresh", path = "/tmp/my-daemon.heartbeat", max_age = 120 }

return {
  check = function(daemon, args)
    if type(args.path) ~= "string" or type(args.max_age) ~= "number" then
      error('file_fresh needs path and max_age: health = { check = "file_fresh", path = "/x", max_age = 120 }')
    end
    local st, err = tend.fs.stat(args.path)
    if not st then
      return false, err
    end
    local age = tend.time.now() - st.mtime
    if age > args.max_age then
      return false, string.format("%s last modified %ds ago (max %ds)", args.path, math.floor(age), math.floor(args.max_age))
    end
    return true, string.format("%s modified %ds ago", args.path, math.floor(math.max(age, 0)))
  end,
}
