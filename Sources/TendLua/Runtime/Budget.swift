import CLuaShim
import TendSystem

/// The time left of the running call's budget, for host functions that block (sleep,
/// run, tcp_probe): the budget hook only runs between Lua instructions, so a blocking
/// call must cut its own wait or it could overrun the budget unchecked.
enum Budget {
    /// Seconds left (at least 0), or nil when the call has no budget.
    static func remaining(_ call: LuaCall) -> Double? {
        let deadline = tend_lua_budget_deadline(call.stack.L)
        guard deadline > 0 else { return nil }
        return max(0, deadline - Clock.monotonic())
    }
}
