import TendCore

/// One call of a policy's `decide(daemon, exit, history, now)`, read strictly: the one
/// path of the Lua policies (`LuaRestartPolicy`) and the built-in one (`BuiltinPolicy`).
enum DecideCall {
    /// `pushDecide` pushes the function; `policy` names it in the decision.
    static func run(_ vm: LuaVM, budget: Double?, policy: String, historyMethods: LuaRef,
                    _ c: RestartContext, pushDecide: (LuaStack) -> Void) throws -> RestartDecision {
        try vm.call(budget: budget, results: 1, push: { s in
            pushDecide(s)
            s.pushDaemon(c.daemon)
            s.pushExit(c.exit)
            s.pushHistory(c.history, meta: historyMethods)
            s.push(c.now)
            return 4
        }, read: { s, first in
            do {
                return try DecisionReader.read(s, at: first, policy: policy)
            } catch let problem as DecisionReader.Problem {
                pushDecide(s)
                let location = s.functionLocation() ?? policy
                throw LuaError(kind: .badReturn, message: "\(location): decide returned \(problem.text)")
            }
        })
    }
}
