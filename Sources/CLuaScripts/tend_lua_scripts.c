// The Lua files of the host, embedded at build time with C23 #embed: the binary carries
// them (no Bundle, no files to install), and clang lists every embedded file in the
// dependency file it writes for SwiftPM, so an edit of a .lua file rebuilds this target.
#include "tend_lua_scripts.h"
#include <string.h>

// #embed is C23; this target is compiled in the package's default C mode.
#pragma clang diagnostic ignored "-Wc23-extensions"

static const unsigned char history[] = {
#embed "../TendLua/lua/history.lua"
};
static const unsigned char collector[] = {
#embed "../TendLua/lua/collector.lua"
};
static const unsigned char require_[] = {
#embed "../TendLua/lua/require.lua"
};
static const unsigned char environments[] = {
#embed "../TendLua/lua/environments.lua"
};
// The very file shipped as policies/restart.lua: the built-in fallback is no twin of it.
static const unsigned char restart[] = {
#embed "../../policies/restart.lua"
};

static const struct {
    const char *name;
    const unsigned char *bytes;
    size_t size;
} scripts[] = {
    { "history.lua", history, sizeof history },
    { "collector.lua", collector, sizeof collector },
    { "require.lua", require_, sizeof require_ },
    { "environments.lua", environments, sizeof environments },
    { "restart.lua", restart, sizeof restart },
};

const unsigned char *tend_lua_script(const char *name, size_t *size) {
    for (size_t i = 0; i < sizeof scripts / sizeof scripts[0]; i++) {
        if (strcmp(scripts[i].name, name) == 0) {
            *size = scripts[i].size;
            return scripts[i].bytes;
        }
    }
    *size = 0;
    return NULL;
}
