#include "tend_lua.h"
#include <stdlib.h>
#include <time.h>

static tend_lua_dispatch_fn dispatch;

void tend_lua_set_dispatch(tend_lua_dispatch_fn fn) { dispatch = fn; }

// Lives in the state's extra space (LUA_EXTRASPACE holds one pointer).
typedef struct {
    void *owner;
    double deadline;   // monotonic seconds; 0 = no budget
    int exceeded;
} tend_ctx;

static tend_ctx *ctx_of(lua_State *L) { return *(tend_ctx **)lua_getextraspace(L); }

static double monotonic_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void open_policy_libs(lua_State *L) {
    static const luaL_Reg libs[] = {
        { LUA_GNAME, luaopen_base }, { LUA_TABLIBNAME, luaopen_table },
        { LUA_STRLIBNAME, luaopen_string }, { LUA_MATHLIBNAME, luaopen_math },
    };
    for (size_t i = 0; i < sizeof libs / sizeof libs[0]; i++) {
        luaL_requiref(L, libs[i].name, libs[i].func, 1);
        lua_pop(L, 1);
    }
    // The base library's two ways to the file system.
    lua_pushnil(L);
    lua_setglobal(L, "dofile");
    lua_pushnil(L);
    lua_setglobal(L, "loadfile");
}

lua_State *tend_lua_newstate(void *owner, tend_lua_libs libs) {
    lua_State *L = luaL_newstate();
    if (!L) return NULL;
    tend_ctx *ctx = calloc(1, sizeof *ctx);
    if (!ctx) { lua_close(L); return NULL; }
    ctx->owner = owner;
    *(tend_ctx **)lua_getextraspace(L) = ctx;
    if (libs == TEND_LUA_LIBS_POLICY) open_policy_libs(L); else luaL_openlibs(L);
    return L;
}

void tend_lua_close(lua_State *L) {
    tend_ctx *ctx = ctx_of(L);
    lua_close(L);
    free(ctx);
}

void *tend_lua_owner(lua_State *L) { return ctx_of(L)->owner; }

static int trampoline(lua_State *L) {
    void *box = lua_touserdata(L, lua_upvalueindex(1));
    int n = dispatch(L, box);
    if (n < 0) return lua_error(L);   // Swift has returned: safe to longjmp now
    return n;
}

void tend_lua_push_host_function(lua_State *L, void *box) {
    lua_pushlightuserdata(L, box);
    lua_pushcclosure(L, trampoline, 1);
}

static void budget_hook(lua_State *L, lua_Debug *ar) {
    (void)ar;
    tend_ctx *ctx = ctx_of(L);
    if (ctx->deadline > 0 && monotonic_now() > ctx->deadline) {
        ctx->exceeded = 1;
        // From now on fire on every instruction, so a pcall in the script that
        // swallows this error is interrupted again at once.
        lua_sethook(L, budget_hook, LUA_MASKCOUNT, 1);
        luaL_error(L, "time budget exceeded (script stopped)");
    }
}

void tend_lua_set_budget(lua_State *L, double seconds) {
    tend_ctx *ctx = ctx_of(L);
    ctx->exceeded = 0;
    if (seconds <= 0) {
        ctx->deadline = 0;
        lua_sethook(L, NULL, 0, 0);
        return;
    }
    ctx->deadline = monotonic_now() + seconds;
    lua_sethook(L, budget_hook, LUA_MASKCOUNT, 10000);
}

int tend_lua_budget_exceeded(lua_State *L) { return ctx_of(L)->exceeded; }

static int traceback_handler(lua_State *L) {
    const char *msg = lua_tostring(L, 1);
    if (msg == NULL) {
        if (luaL_callmeta(L, 1, "__tostring") && lua_type(L, -1) == LUA_TSTRING) return 1;
        msg = lua_pushfstring(L, "(error object is a %s value)", luaL_typename(L, 1));
    }
    luaL_traceback(L, L, msg, 1);
    return 1;
}

int tend_lua_pcall_traceback(lua_State *L, int nargs, int nresults) {
    int base = lua_gettop(L) - nargs;
    lua_pushcfunction(L, traceback_handler);
    lua_insert(L, base);
    int status = lua_pcall(L, nargs, nresults, base);
    lua_remove(L, base);
    return status;
}

int tend_lua_load(lua_State *L, const char *buf, size_t size, const char *chunkname) {
    return luaL_loadbufferx(L, buf, size, chunkname, "t");
}

void tend_lua_pop(lua_State *L, int n) { lua_pop(L, n); }
void tend_lua_newtable(lua_State *L) { lua_newtable(L); }
const char *tend_lua_tostring(lua_State *L, int idx, size_t *len) { return lua_tolstring(L, idx, len); }
int tend_lua_isnil(lua_State *L, int idx) { return lua_isnil(L, idx); }
int tend_lua_upvalueindex(int i) { return lua_upvalueindex(i); }
int tend_lua_registryindex(void) { return LUA_REGISTRYINDEX; }
void tend_lua_pushglobaltable(lua_State *L) { lua_pushglobaltable(L); }
int tend_lua_isinteger(lua_State *L, int idx) { return lua_isinteger(L, idx); }

double tend_lua_budget_deadline(lua_State *L) { return ctx_of(L)->deadline; }
void tend_lua_insert(lua_State *L, int idx) { lua_insert(L, idx); }
void tend_lua_remove(lua_State *L, int idx) { lua_remove(L, idx); }
lua_Number tend_lua_tonumber(lua_State *L, int idx) { return lua_tonumber(L, idx); }
int tend_lua_set_env(lua_State *L, int funcindex) { return lua_setupvalue(L, funcindex, 1) != NULL; }
