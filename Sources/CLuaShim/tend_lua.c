#include "tend_lua.h"
#include <stdio.h>
#include <stdlib.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <string.h>
#include <time.h>
#include <signal.h>
#include <unistd.h>

static tend_lua_dispatch_fn dispatch;

void tend_lua_set_dispatch(tend_lua_dispatch_fn fn) { dispatch = fn; }

// One per state, behind the pointer in the state's extra space (every coroutine's extra
// space is a copy of the main thread's, so all threads of a state share it). It is also
// the allocator's `ud`.
typedef struct {
    // The time budget of the running call.
    double deadline;            // monotonic seconds; 0 = no budget
    int exceeded;
    int exceeded_in_host;       // ... by a host call that blocked (not by Lua code)

    // The memory cap. `guarded` is 1 exactly while Lua code runs under one of our
    // protected calls (tend_lua_pcall_traceback, tend_lua_load) and no host function is
    // on top of it: only then may an allocation past `limit` fail. A failed allocation
    // raises LUA_ERRMEM, a longjmp; inside Lua code it lands in our pcall, but raised from
    // a lua_push* in a Swift host function (or in Swift between calls) it would unwind
    // Swift frames. So the trampoline clears `guarded` around the Swift call: the host
    // function's allocations always succeed (the state may go past the cap), and the next
    // allocation of the Lua code after it returns fails instead, inside the pcall.
    size_t used;
    size_t limit;               // bytes; 0 = no cap
    int guarded;
    int refused;                // an allocation was refused since the budget was set

    // Where Lua is: the innermost Lua frame's "file:line", kept by the hook in `where`
    // (the state's own buffer, or a shared mapping the monitor reads: see tend_lua.h).
    int track_where;
    char *where;
    size_t where_size;
    const char *where_source;   // the source whose name `where` holds, to skip copying it
    size_t where_name_length;
    char own_where[512];
} tend_ctx;

static tend_ctx *ctx_of(lua_State *L) { return *(tend_ctx **)lua_getextraspace(L); }

static double monotonic_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

// MARK: Memory

// What a block really takes from the process, malloc's own bookkeeping included, so the
// cap bounds the resident memory and not only what Lua asked for (a deep recursion is
// some 200 000 small CallInfo blocks, a quarter larger to malloc than to Lua).
static size_t footprint(void *p, size_t asked) {
#ifdef __GLIBC__
    (void)asked;
    return malloc_usable_size(p) + sizeof(size_t);
#else
    return asked;
#endif
}

static void *allocate(void *ud, void *ptr, size_t osize, size_t nsize) {
    tend_ctx *ctx = ud;
    size_t old = ptr ? footprint(ptr, osize) : 0;   // without ptr, osize is a kind of object
    if (nsize == 0) {
        free(ptr);
        ctx->used -= old;
        return NULL;
    }
    int grows = nsize > (ptr ? osize : 0);
    if (ctx->guarded && ctx->limit > 0 && grows && ctx->used - old + nsize + 2 * sizeof(size_t) > ctx->limit) {
        ctx->refused = 1;
        return NULL;
    }
    void *p = realloc(ptr, nsize);
    if (p) ctx->used = ctx->used - old + footprint(p, nsize);
    return p;
}

static int panic(lua_State *L) {
    const char *msg = lua_tostring(L, -1);
    fprintf(stderr, "tend: unprotected Lua error (a bug in tend): %s\n", msg ? msg : "?");
    fflush(stderr);
    abort();
}

size_t tend_lua_memory_used(lua_State *L) { return ctx_of(L)->used; }
void tend_lua_collect_garbage(lua_State *L) {
    // Each full cycle frees half of the unused CallInfo records a deep recursion left
    // (luaE_shrinkCI) and shrinks the stack: repeat while that still gives memory back.
    size_t before;
    int rounds = 0;
    do {
        before = ctx_of(L)->used;
        lua_gc(L, LUA_GCCOLLECT);
    } while (ctx_of(L)->used < before - before / 16 && ++rounds < 32);
#ifdef __GLIBC__
    malloc_trim(0);   // and give what a runaway script took back to the system
#endif
}
void tend_lua_set_memory_limit(lua_State *L, size_t bytes) { ctx_of(L)->limit = bytes; }
int tend_lua_memory_refused(lua_State *L) { return ctx_of(L)->refused; }

// MARK: States

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

lua_State *tend_lua_newstate(tend_lua_libs libs) {
    tend_ctx *ctx = calloc(1, sizeof *ctx);
    if (!ctx) return NULL;
    lua_State *L = lua_newstate(allocate, ctx);
    if (!L) { free(ctx); return NULL; }
    lua_atpanic(L, panic);
    ctx->where = ctx->own_where;
    ctx->where_size = sizeof ctx->own_where;
    *(tend_ctx **)lua_getextraspace(L) = ctx;
    if (libs == TEND_LUA_LIBS_POLICY) open_policy_libs(L); else luaL_openlibs(L);
    return L;
}

void tend_lua_close(lua_State *L) {
    tend_ctx *ctx = ctx_of(L);
    lua_close(L);
    free(ctx);
}


// MARK: Where Lua is

// Chunks of the Lua layer compiled into tend (EmbeddedLua.swift names them "=[tend] …"):
// a script's location is never inside them (a wrapper like the sandbox's io.open).
static int is_layer(const char *source) { return strncmp(source, "=[tend]", 7) == 0; }

static void record_where(lua_State *L, tend_ctx *ctx) {
    lua_Debug ar;
    // Level 0 is the running function; on a call event it may be the C function being
    // called, or a wrapper of the Lua layer, whose caller is where the script is.
    for (int level = 0; level < 8 && lua_getstack(L, level, &ar); level++) {
        if (!lua_getinfo(L, "Sl", &ar) || ar.currentline <= 0 || is_layer(ar.source)) continue;
        const char *name = ar.source;
        if (*name == '@' || *name == '=') name++;
        if (ar.source != ctx->where_source) {
            size_t n = strlen(name);
            if (n > ctx->where_size - 16) n = ctx->where_size - 16;
            memcpy(ctx->where, name, n);
            ctx->where_source = ar.source;
            ctx->where_name_length = n;
        }
        snprintf(ctx->where + ctx->where_name_length, 16, ":%d", ar.currentline);
        return;
    }
}

void tend_lua_set_where(lua_State *L, char *buffer, size_t size) {
    tend_ctx *ctx = ctx_of(L);
    if (buffer == NULL || size < 64) { buffer = ctx->own_where; size = sizeof ctx->own_where; }
    ctx->where = buffer;
    ctx->where_size = size;
    ctx->where_source = NULL;
    ctx->where[0] = 0;
}

void tend_lua_track_where(lua_State *L, int on) { ctx_of(L)->track_where = on; }

const char *tend_lua_where(lua_State *L) { return ctx_of(L)->where; }

// MARK: The budget hook

static void hook(lua_State *L, lua_Debug *ar) {
    (void)ar;
    tend_ctx *ctx = ctx_of(L);
    if (ctx->exceeded_in_host) luaL_error(L, "time budget exceeded (script stopped)");
    if (ctx->track_where) record_where(L, ctx);
    if (ctx->deadline > 0 && monotonic_now() > ctx->deadline) {
        ctx->exceeded = 1;
        // From now on fire on every instruction, so a pcall in the script that
        // swallows this error is interrupted again at once.
        lua_sethook(L, hook, LUA_MASKCOUNT, 1);
        luaL_error(L, "time budget exceeded (script stopped)");
    }
}

static int hook_mask(tend_ctx *ctx) { return LUA_MASKCOUNT | (ctx->track_where ? LUA_MASKCALL : 0); }

void tend_lua_set_budget(lua_State *L, double seconds) {
    tend_ctx *ctx = ctx_of(L);
    ctx->exceeded = 0;
    ctx->exceeded_in_host = 0;
    ctx->refused = 0;
    ctx->where[0] = 0;
    ctx->where_source = NULL;
    if (seconds <= 0) {
        ctx->deadline = 0;
        lua_sethook(L, NULL, 0, 0);
        return;
    }
    ctx->deadline = monotonic_now() + seconds;
    lua_sethook(L, hook, hook_mask(ctx), 1000);
}

int tend_lua_budget_exceeded(lua_State *L) { return ctx_of(L)->exceeded; }
int tend_lua_budget_exceeded_in_host(lua_State *L) { return ctx_of(L)->exceeded_in_host; }
double tend_lua_budget_deadline(lua_State *L) { return ctx_of(L)->deadline; }

// coroutine.resume runs another thread, which has the hook it had when it was created
// (or none): give it the running thread's hook first, so its loop counts against the
// same budget. Installed by the Lua layer (environments.lua) under coroutine.resume/wrap.
static int sync_hook(lua_State *L) {
    lua_State *co = lua_tothread(L, 1);
    if (co && co != L) lua_sethook(co, lua_gethook(L), lua_gethookmask(L), lua_gethookcount(L));
    return 0;
}

void tend_lua_push_sync_hook(lua_State *L) { lua_pushcfunction(L, sync_hook); }

// MARK: Host functions

static int trampoline(lua_State *L) {
    tend_ctx *ctx = ctx_of(L);
    void *box = lua_touserdata(L, lua_upvalueindex(1));
    int guarded = ctx->guarded;
    ctx->guarded = 0;             // Swift is running: no allocation may fail (see tend_ctx)
    int n = dispatch(L, box);
    ctx->guarded = guarded;
    // A host call that blocked (sleep, run, tcp_probe) until the budget ran out ends the
    // script at its next instruction, as the hook would have.
    if (ctx->deadline > 0 && !ctx->exceeded && monotonic_now() > ctx->deadline) {
        ctx->exceeded = 1;
        ctx->exceeded_in_host = 1;
        if (ctx->track_where) record_where(L, ctx);   // the line that made the call
        lua_sethook(L, hook, LUA_MASKCOUNT, 1);
    }
    if (n < 0) return lua_error(L);   // Swift has returned: safe to longjmp now
    return n;
}

void tend_lua_push_host_function(lua_State *L, void *box) {
    lua_pushlightuserdata(L, box);
    lua_pushcclosure(L, trampoline, 1);
}

// MARK: Protected calls

static int traceback_handler(lua_State *L) {
    tend_ctx *ctx = ctx_of(L);
    const char *msg = lua_tostring(L, 1);
    // A __tostring metamethod is script code: it stays under the cap (a failure here is
    // "error in error handling", still an error value).
    if (msg == NULL && luaL_callmeta(L, 1, "__tostring") && lua_type(L, -1) == LUA_TSTRING) {
        msg = lua_tostring(L, -1);
    }
    // Building the message and traceback needs memory even when the script used it all.
    int guarded = ctx->guarded;
    ctx->guarded = 0;
    if (msg == NULL) msg = lua_pushfstring(L, "(error object is a %s value)", luaL_typename(L, 1));
    luaL_traceback(L, L, msg, 1);
    ctx->guarded = guarded;
    return 1;
}

int tend_lua_pcall_traceback(lua_State *L, int nargs, int nresults) {
    tend_ctx *ctx = ctx_of(L);
    int base = lua_gettop(L) - nargs;
    lua_pushcfunction(L, traceback_handler);
    lua_insert(L, base);
    int guarded = ctx->guarded;
    ctx->guarded = 1;
    int status = lua_pcall(L, nargs, nresults, base);
    ctx->guarded = guarded;
    lua_remove(L, base);
    return status;
}

int tend_lua_load(lua_State *L, const char *buf, size_t size, const char *chunkname) {
    tend_ctx *ctx = ctx_of(L);
    int guarded = ctx->guarded;
    ctx->guarded = 1;   // lua_load is protected: a refused allocation is its status
    int status = luaL_loadbufferx(L, buf, size, chunkname, "t");
    ctx->guarded = guarded;
    return status;
}

// MARK: Wrappers of macros

void tend_lua_pop(lua_State *L, int n) { lua_pop(L, n); }
void tend_lua_newtable(lua_State *L) { lua_newtable(L); }
const char *tend_lua_tostring(lua_State *L, int idx, size_t *len) { return lua_tolstring(L, idx, len); }
int tend_lua_isnil(lua_State *L, int idx) { return lua_isnil(L, idx); }
int tend_lua_upvalueindex(int i) { return lua_upvalueindex(i); }
int tend_lua_registryindex(void) { return LUA_REGISTRYINDEX; }
void tend_lua_pushglobaltable(lua_State *L) { lua_pushglobaltable(L); }
int tend_lua_isinteger(lua_State *L, int idx) { return lua_isinteger(L, idx); }
void tend_lua_insert(lua_State *L, int idx) { lua_insert(L, idx); }
void tend_lua_remove(lua_State *L, int idx) { lua_remove(L, idx); }
lua_Number tend_lua_tonumber(lua_State *L, int idx) { return lua_tonumber(L, idx); }
int tend_lua_set_env(lua_State *L, int funcindex) { return lua_setupvalue(L, funcindex, 1) != NULL; }

// MARK: check-config's watchdog

static unsigned watchdog_seconds;
static char *const *watchdog_argv;
static const char *volatile watchdog_where;   // the state's location buffer
static char watchdog_script[2048];
#define WATCHDOG_VAR "TEND_CHECK_CONFIG_BLOCKED="
static char watchdog_env_entry[65536];
static char *watchdog_env[4096];

static size_t put(char *out, size_t at, size_t cap, const char *s) {
    while (*s && at + 1 < cap) out[at++] = *s++;
    out[at] = 0;
    return at;
}

// Runs check-config again, from the start, with the blocked script added to
// TEND_CHECK_CONFIG_BLOCKED ("SCRIPT\tWHERE" lines): that run reports it and skips it.
static void watchdog_fire(int sig) {
    (void)sig;
    extern char **environ;
    size_t at = put(watchdog_env_entry, 0, sizeof watchdog_env_entry, WATCHDOG_VAR);
    size_t e = 0;
    for (char **v = environ; *v && e + 2 < sizeof watchdog_env / sizeof *watchdog_env; v++) {
        if (strncmp(*v, WATCHDOG_VAR, sizeof WATCHDOG_VAR - 1) == 0) {
            at = put(watchdog_env_entry, at, sizeof watchdog_env_entry, *v + sizeof WATCHDOG_VAR - 1);
            at = put(watchdog_env_entry, at, sizeof watchdog_env_entry, "\n");
        } else {
            watchdog_env[e++] = *v;
        }
    }
    at = put(watchdog_env_entry, at, sizeof watchdog_env_entry, watchdog_script);
    at = put(watchdog_env_entry, at, sizeof watchdog_env_entry, "\t");
    const char *w = watchdog_where;
    at = put(watchdog_env_entry, at, sizeof watchdog_env_entry, w && *w ? w : watchdog_script);
    watchdog_env[e++] = watchdog_env_entry;
    watchdog_env[e] = NULL;
    if (watchdog_argv) execve("/proc/self/exe", watchdog_argv, watchdog_env);
    static const char msg[] = "tend check-config: a script blocked (a C call that waits), and check-config could not run again without it\n";
    ssize_t ignored = write(2, msg, sizeof msg - 1);
    (void)ignored;
    _exit(1);
}

void tend_lua_watchdog_enable(unsigned seconds, char *const *argv) {
    watchdog_seconds = seconds;
    watchdog_argv = argv;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = watchdog_fire;
    sa.sa_flags = SA_NODEFER;   // not blocked in the handler, so not in the exec'd run either
    sigemptyset(&sa.sa_mask);
    sigaction(SIGALRM, &sa, NULL);
    sigset_t alarm_only;
    sigemptyset(&alarm_only);
    sigaddset(&alarm_only, SIGALRM);
    sigprocmask(SIG_UNBLOCK, &alarm_only, NULL);
}

void tend_lua_watchdog_arm(lua_State *L, const char *script) {
    if (!watchdog_seconds) return;
    alarm(0);
    size_t n = strlen(script);
    if (n >= sizeof watchdog_script) n = sizeof watchdog_script - 1;
    memcpy(watchdog_script, script, n);
    watchdog_script[n] = 0;
    watchdog_where = tend_lua_where(L);
    alarm(watchdog_seconds);
}

void tend_lua_watchdog_disarm(void) {
    if (watchdog_seconds) alarm(0);
}
