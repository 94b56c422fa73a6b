-- The daemons Tend manages when ~/.config/tend/daemons.lua does not exist: the eight
-- background daemons of the memory system. Copy this file there to change it.
--
--   daemon "NAME" { command = {"/usr/bin/prog", "--flag"} }   -- a program
--   daemon "NAME" { plugin = "NAME" }                          -- a Lua plugin, run as `tend run NAME`
--
-- Optional keys: env = {KEY = "value"}, cwd = "/dir", stop_timeout = 10 (seconds),
-- restart = { max_per_hour = 3, cooldown = 60 }, health = "process_alive" (or
-- { check = "tcp_port", port = 8080, interval = 60 }, or a function(d) return ok, reason end),
-- policy = "restart" (policies/NAME.lua). `tend check-config` validates this file.

daemon "context-daemon" { plugin = "context-daemon", health = "process_alive" }
daemon "session-auto-save-daemon" { plugin = "session-auto-save-daemon", health = "process_alive" }
daemon "preference-auto-tracker" { plugin = "preference-auto-tracker", health = "process_alive" }
daemon "skill-auto-suggester" { plugin = "skill-auto-suggester", health = "process_alive" }
daemon "commit-daemon" { plugin = "commit-daemon", health = "process_alive" }
daemon "session-pruning-daemon" { plugin = "session-pruning-daemon", health = "process_alive" }
daemon "pattern-detection-daemon" { plugin = "pattern-detection-daemon", health = "process_alive" }
daemon "failure-prevention-daemon" { plugin = "failure-prevention-daemon", health = "process_alive" }
