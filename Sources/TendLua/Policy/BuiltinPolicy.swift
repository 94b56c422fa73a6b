import CLuaShim
import TendCore

/// The built-in restart policy: the shipped `policies/restart.lua` itself, compiled into
/// the binary (no Swift twin), run in a small Lua state of its own with only what the
/// policy needs (Lua's base, table, string and math libraries and the history methods).
/// No user code ever reaches that state, so it decides when a user's policy cannot: it is
/// broken, missing, refused, or its worker missed the deadline.
///
/// Cheap to create and to call (figures in the README); single-threaded like any Lua state.
public final class BuiltinPolicy: RestartPolicy {
    /// What `RestartDecision.policy` says when this policy decided.
    public static let name = "built-in"
    /// A trusted script over at most 100 history events runs in microseconds; the budget
    /// only guards against a bug in it.
    static let budget = 0.1

    let vm: LuaVM
    private let historyMethods: LuaRef
    private let decideFunction: LuaRef

    public init() throws {
        let vm = try LuaVM(budget: Self.budget, libraries: .policy)
        self.vm = vm
        historyMethods = try vm.run(.history)
        decideFunction = try Self.decideOf(vm.run(.restartPolicy), vm)
    }

    /// The `decide` of the policy table kept in `table` (released).
    private static func decideOf(_ table: LuaRef, _ vm: LuaVM) throws -> LuaRef {
        defer { vm.release(table) }
        let s = vm.stack
        s.push(table)
        defer { s.pop() }
        guard s.rawGet(-1, "decide") == LUA_TFUNCTION else {
            s.pop()
            throw LuaError(kind: .badReturn, message: "\(EmbeddedLua.restartPolicy.chunkname.dropFirst()): has no decide function")
        }
        return s.ref()
    }

    deinit {
        vm.release(decideFunction)
        vm.release(historyMethods)
    }

    public func decide(_ context: RestartContext) -> RestartDecision {
        do {
            return try DecideCall.run(vm, budget: nil, policy: Self.name, historyMethods: historyMethods, context) { s in
                s.push(decideFunction)
            }
        } catch {
            // Cannot happen with the file it was built from (the tests run it); should it,
            // one restart after the cooldown keeps a crash loop bounded.
            let wait = max(60, context.daemon.restart.cooldown)
            return RestartDecision(.restartAfter(seconds: wait), reason: "the built-in policy failed (\(error)); restarting after \(Int(wait))s",
                                   policy: Self.name)
        }
    }
}
