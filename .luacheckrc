-- luacheck settings for Tend's Lua (Debian's package: lua-check). The test suite runs
-- `luacheck plugins policies config` with them (LintTests); run the same by hand.
--
-- Every script runs in Lua 5.4 in its own environment whose one extra global is the
-- host module `tend`; daemons.lua also has the DSL's `daemon` (docs/tend.meta.lua
-- types both).
std = "lua54"
read_globals = { "tend" }
files["**/daemons.lua"] = { read_globals = { "daemon" } }

-- Scripts are callbacks with fixed arguments (decide(daemon, exit, history, now),
-- check(daemon, args), tick(ctx), a step's run(ctx)): ignoring some of them is normal.
unused_args = false
max_line_length = 140

exclude_files = { "docs/tend.meta.lua", ".build/**" }
