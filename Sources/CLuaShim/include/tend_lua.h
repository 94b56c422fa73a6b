// C glue between Swift and Lua 5.4.
//
// Swift cannot call Lua's function-like macros, and it must never be unwound by
// lua_error's longjmp. So: every macro Swift needs has a one-line wrapper here, and
// every host function is entered through one C trampoline (tend_lua.c), which calls back
// into Swift, and raises the Lua error itself (after Swift has returned) when Swift asks.
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
    /// base, table, string and math only: the built-in restart policy's small state.
    TEND_LUA_LIBS_POLICY = 1,
} tend_lua_libs;

/// A new state with the chosen standard libraries opened and a per-state context in the
/// extra space (deadline for the instruction budget, owner pointer for Swift).
lua_State *tend_lua_newstate(void *owner, tend_lua_libs libs);
void tend_lua_close(lua_State *L);
void *tend_lua_owner(lua_State *L);

/// Pushes a host function: a C closure over the trampoline with `box` as upvalue 1.
void tend_lua_push_host_function(lua_State *L, void *box);

/// Time budget: scripts running past `seconds` from now are stopped with an error
/// that pcall inside the script cannot swallow (the hook keeps raising). 0 disables.
void tend_lua_set_budget(lua_State *L, double seconds);
/// 1 if the last budget was exceeded.
int tend_lua_budget_exceeded(lua_State *L);

/// pcall with a traceback message handler; the error (with traceback) is left on top.
int tend_lua_pcall_traceback(lua_State *L, int nargs, int nresults);

/// Loads `size` bytes as a chunk named `chunkname` (use "@path" for file:line errors).
int tend_lua_load(lua_State *L, const char *buf, size_t size, const char *chunkname);

// Wrappers of macros.
void tend_lua_pop(lua_State *L, int n);
void tend_lua_newtable(lua_State *L);
const char *tend_lua_tostring(lua_State *L, int idx, size_t *len);
int tend_lua_isnil(lua_State *L, int idx);
int tend_lua_upvalueindex(int i);
int tend_lua_registryindex(void);
void tend_lua_pushglobaltable(lua_State *L);
int tend_lua_isinteger(lua_State *L, int idx);

// Additions for the Swift host (TendLua). Each is a one-line wrapper or a read-only
// accessor; none of them raises.

/// The monotonic deadline of the current budget (seconds, 0 = none), so blocking host
/// functions (sleep, run, tcp_probe) can cut their own waits to what is left.
double tend_lua_budget_deadline(lua_State *L);
void tend_lua_insert(lua_State *L, int idx);
void tend_lua_remove(lua_State *L, int idx);
lua_Number tend_lua_tonumber(lua_State *L, int idx);
/// Sets upvalue 1 (a main chunk's _ENV) of the function at `funcindex` to the value on
/// top, which is popped. Returns 1 if set. Gives every script its own global table.
int tend_lua_set_env(lua_State *L, int funcindex);

#endif
