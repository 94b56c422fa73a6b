// The Lua files compiled into the tend binary: the Lua layer of the host
// (Sources/TendLua/lua/*.lua) and the shipped default restart policy, which is also the
// built-in fallback (policies/restart.lua). See tend_lua_scripts.c.
#ifndef TEND_LUA_SCRIPTS_H
#define TEND_LUA_SCRIPTS_H

#include <stddef.h>

/// The bytes of the embedded file `name` ("history.lua", "restart.lua", ...) and their
/// count in `*size`, or NULL when no such file is embedded.
const unsigned char *tend_lua_script(const char *name, size_t *size);

#endif
