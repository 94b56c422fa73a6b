import XCTest
import TendSystem
import TendTestSupport
@testable import TendLua

/// The shipped Lua passes luacheck with the repository's `.luacheckrc` (Tend's globals).
final class LintTests: LuaTestCase {
    /// luacheck with the checkout's settings on `targets` (relative to `dir`), or a skip
    /// saying how to get it.
    func lint(_ targets: [String], in dir: String = repoRoot) throws -> CommandRunner.Result {
        guard let luacheck = Luacheck.path else { throw XCTSkip(Luacheck.missing) }
        return try Luacheck.run(luacheck, targets, in: dir, config: "\(Self.repoRoot)/.luacheckrc")
    }

    func testShippedPluginsPoliciesAndConfigPassLuacheck() throws {
        let r = try lint(["plugins", "policies", "config"])
        XCTAssertEqual(r.code, 0, r.stdout + r.stderr)
        XCTAssertTrue(r.stdout.contains("0 warnings / 0 errors"), r.stdout)
        XCTAssertTrue(r.stdout.contains("policies/restart.lua") && r.stdout.contains("config/daemons.lua"), "the files were not checked:\n\(r.stdout)")
    }

    /// The settings know Tend's globals and nothing else: the DSL in daemons.lua only, and
    /// a stray global is still reported.
    func testTheSettingsKnowTendsGlobals() throws {
        let rc = try FileSystem.readText("\(Self.repoRoot)/.luacheckrc")
        for f in ScriptTypes.dsl { XCTAssertTrue(rc.contains("read_globals = { \"\(f.name)\" }"), "the DSL's \(f.name) is not a global for luacheck") }
        try writeConfig("lint/config/daemons.lua", "daemon \"web\" { command = { \"/bin/true\" } }\n")
        try writeConfig("lint/policies/p.lua", "leaked = 1\nreturn { decide = function() return daemon end }\n")
        let r = try lint(["config", "policies"], in: "\(configDir)/lint")
        XCTAssertTrue(r.stdout.contains("p.lua:1:1: (W111) setting non-standard global variable 'leaked'"), r.stdout)
        XCTAssertTrue(r.stdout.contains("p.lua:2:37: (W113) accessing undefined variable 'daemon'"), r.stdout)
        XCTAssertFalse(r.stdout.contains("daemons.lua:1"), "daemon is a global in daemons.lua:\n\(r.stdout)")
    }
}
