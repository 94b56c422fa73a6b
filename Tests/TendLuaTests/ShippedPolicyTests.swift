import XCTest
import TendCore
import TendSystem
@testable import TendLua

/// The monitor decides itself only for a daemon whose policy is Tend's shipped
/// restart.lua as compiled in; anything else goes to a script worker (nil here).
final class ShippedPolicyTests: LuaTestCase {
    let now = 1_800_000_000.0

    func context(policy: String = "restart") -> RestartContext {
        RestartContext(daemon: DaemonSpec(name: "d", run: .command(["/bin/true"]), policy: policy),
                       exit: ExitInfo(cause: .killed, signal: 9, at: now, uptime: 100, pid: 100),
                       history: RestartHistory(events: []), now: now)
    }

    /// A shipped dir of its own holding `restart` as the policy's text, mode `mode`.
    func shippedDir(restart: [UInt8], mode: mode_t = 0o644) throws -> String {
        let dir = "\(root)/shipped"
        try FileSystem.makeDirectory("\(dir)/policies", mode: 0o755)
        let file = "\(dir)/policies/restart.lua"
        try FileSystem.writeAtomically(file, restart, mode: mode, durable: false)
        XCTAssertEqual(chmod(file, mode), 0)
        return dir
    }

    func testTheShippedFileUneditedDecidesInTheMonitorAsTheWorkerWould() throws {
        let shipped = ShippedPolicy(builtin: try BuiltinPolicy(), paths: paths)
        let decision = try XCTUnwrap(shipped.decideIfCovered(context()))
        XCTAssertEqual(decision.policy, "\(Self.repoRoot)/policies/restart.lua", "the record names the file, as a worker's does")
        XCTAssertEqual(decision.version, .current)
        let worker = try LuaRestartPolicy(host: try makeHost(), report: reporter).decide(context())
        XCTAssertEqual(decision, worker)
    }

    func testAnythingElseIsTheWorkers() throws {
        let compiledIn = Array(EmbeddedLua.restartPolicy.bytes)
        let builtin = try BuiltinPolicy()
        XCTAssertNil(ShippedPolicy(builtin: builtin, paths: paths).decideIfCovered(context(policy: "backoff")), "another name")
        XCTAssertNil(ShippedPolicy(builtin: builtin, paths: userOnlyPaths).decideIfCovered(context()), "no shipped dir")

        let edited = ScriptPaths(configDir: configDir, shippedDir: try shippedDir(restart: compiledIn + Array("\n-- edited\n".utf8)))
        XCTAssertNil(ShippedPolicy(builtin: builtin, paths: edited).decideIfCovered(context()), "an edited shipped file")

        let writable = ScriptPaths(configDir: configDir, shippedDir: try shippedDir(restart: compiledIn, mode: 0o666))
        XCTAssertNil(ShippedPolicy(builtin: builtin, paths: writable).decideIfCovered(context()), "a world-writable shipped file")

        // The user's copy shadows the shipped one, from the next decision on.
        let shipped = ShippedPolicy(builtin: builtin, paths: paths)
        XCTAssertNotNil(shipped.decideIfCovered(context()))
        try FileSystem.writeAtomically("\(configDir)/policies/restart.lua", compiledIn, mode: 0o600, durable: false)
        XCTAssertNil(shipped.decideIfCovered(context()), "a user's copy")
    }
}
