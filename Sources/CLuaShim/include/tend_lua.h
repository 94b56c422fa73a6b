// C glue between Swift and Lua 5.4.
//
// Swift cannot call Lua's function-like macros, and it must never be unwound by
// lua_error's longjmp. So: every macro Swift needs has a one-line wrapper here, and
// every host function is entered through one C trampoline (tend_lua.c), which calls back
// into Swift, and raises the Lua error itself (after Swift has returned) when Swift asks.
// This is the only code of Tend that raises Lua errors.
#ifndef TEND_LUA_H
#define TEND_LUA_H

#include <lua.h>
#include <lualib.h>
#include <lauxlib.h>

/// Signature of the Swift dispatcher: runs the host function whose box is `box`.
/// Returns the number of results, or -1 with an error message on top of the stack.
typedef int (*tend_lua_dispatch_fn)(lua_State *L, void *box);

/// Installs the Swift dispatcher (once per process).
void tend_lua_set_dispatch(tend_lua_dispatch_fn fn);

/// Which standard libraries a new state opens.
typedef enum {
    /// All of them (luaL_openlibs); each script environment then picks what it may see.
    TEND_LUA_LIBS_ALL = 0,
    /// base (without dofile, loadfile), table, string and math: the built-in restart
    /// policy's small state.
    TEND_LUA_LIBS_POLICY = 1,
} tend_lua_libs;

/// A new state with the chosen standard libraries opened, Tend's allocator (with a
/// memory cap) and a per-state context in the extra space (budget, cap).
lua_State *tend_lua_newstate(tend_lua_libs libs);
void tend_lua_close(lua_State *L);

/// Pushes a host function: a C closure over the trampoline with `box` as upvalue 1.
void tend_lua_push_host_function(lua_State *L, void *box);

/// Time budget: scripts running past `seconds` from now are stopped with an error
/// that pcall inside the script cannot swallow (the hook keeps raising); a host call
/// that returns after the deadline ends the script at its next instruction. Also resets
/// the location and the memory-refused flag. 0 disables.
void tend_lua_set_budget(lua_State *L, double seconds);
/// 1 if the last budget was exceeded; `_in_host`: by a host call that blocked past it
/// (the location then names the line of that call, not the next one).
int tend_lua_budget_exceeded(lua_State *L);
int tend_lua_budget_exceeded_in_host(lua_State *L);
/// The monotonic deadline of the current budget (seconds, 0 = none), so blocking host
/// functions (sleep, run, tcp_probe) can cut their own waits to what is left.
double tend_lua_budget_deadline(lua_State *L);
/// Pushes a C function `sync(co)`: gives the coroutine `co` the running thread's hook.
void tend_lua_push_sync_hook(lua_State *L);

/// The memory cap: an allocation by Lua code that would take the state past `bytes`
/// fails ("not enough memory", a script error); allocations made by host functions and
/// by Swift between calls never fail (see tend_ctx in tend_lua.c). 0 = no cap.
void tend_lua_set_memory_limit(lua_State *L, size_t bytes);
size_t tend_lua_memory_used(lua_State *L);
/// Full garbage collections until memory stops coming back, then what malloc can return
/// to the system (after a script that ran away; lua_gc is variadic: Swift cannot call it).
void tend_lua_collect_garbage(lua_State *L);
/// 1 if an allocation was refused by the cap since the budget was last set.
int tend_lua_memory_refused(lua_State *L);

/// Where Lua is: while `tend_lua_track_where(L, 1)` and a budget runs, a call + count
/// hook keeps the innermost Lua frame's "file:line" (NUL-terminated) in `buffer`, the
/// state's own by default or one the caller provides (a shared mapping a supervisor
/// reads when the script blocks in C). `size` at least 64.
void tend_lua_set_where(lua_State *L, char *buffer, size_t size);
void tend_lua_track_where(lua_State *L, int on);
/// The last recorded location ("" when none since the budget was set).
const char *tend_lua_where(lua_State *L);

/// pcall with a traceback message handler; the error (with traceback) is left on top.
int tend_lua_pcall_traceback(lua_State *L, int nargs, int nresults);

/// Loads `size` bytes as a chunk named `chunkname` (use "@path" for file:line errors).
int tend_lua_load(lua_State *L, const char *buf, size_t size, const char *chunkname);

// Wrappers of macros and small accessors; none of them raises.
void tend_lua_pop(lua_State *L, int n);
void tend_lua_newtable(lua_State *L);
const char *tend_lua_tostring(lua_State *L, int idx, size_t *len);
int tend_lua_isnil(lua_State *L, int idx);
int tend_lua_upvalueindex(int i);
int tend_lua_registryindex(void);
void tend_lua_pushglobaltable(lua_State *L);
int tend_lua_isinteger(lua_State *L, int idx);
void tend_lua_insert(lua_State *L, int idx);
void tend_lua_remove(lua_State *L, int idx);
lua_Number tend_lua_tonumber(lua_State *L, int idx);
/// Sets upvalue 1 (a main chunk's _ENV) of the function at `funcindex` to the value on
/// top, which is popped. Returns 1 if set. Gives every script its own global table.
int tend_lua_set_env(lua_State *L, int funcindex);

/// check-config's watchdog. It runs scripts in its own process, where a top level that
/// blocks in C (open(2) of a FIFO nobody writes) would hang it for good; the Lua budget
/// cannot stop a C call. `enable` once (seconds per script; `argv`, NULL-terminated and
/// kept alive, to run again with); then `arm` before each script and `disarm` after it.
/// A script still running `seconds` after its `arm` makes the process exec itself again
/// (from a SIGALRM handler: execve and write only) with `SCRIPT\tFILE:LINE` (the location
/// the hook kept) added as a line to TEND_CHECK_CONFIG_BLOCKED, for the new run to report
/// and skip.
void tend_lua_watchdog_enable(unsigned seconds, char *const *argv);
void tend_lua_watchdog_arm(lua_State *L, const char *script);
void tend_lua_watchdog_disarm(void);

#endif
