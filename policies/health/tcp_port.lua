-- Healthy while host:port accepts TCP connections.
--   health = { check = "tcp_port", port = 8080, host = "127.0.0.1", timeout = 1 }

return {
  check = function(daemon, args)
    local port = args.port
    if math.type(port) ~= "integer" then
      error('tcp_port needs an integer port: health = { check = "tcp_port", port = 8080 }')
    end
    local host = args.host or "127.0.0.1"
    local ok, err = tend.net.tcp_probe(host, port, args.timeout or 1)
    if ok then
      return true, string.format("%s:%d accepts connections", host, port)
    end
    return false, err
  end,
}
