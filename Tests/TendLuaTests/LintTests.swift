import XCTest
import TendSystem
import TendTestSupport
@testable import TendLua

/// The shipped Lua passes luacheck with the repository's `.luacheckrc` (Tend's globals).
final class LintTests: LuaTestCase {
    /// luacheck on the PATH, or a skip saying how to get it.
    func luacheck() throws -> String {
        let path = Spawner.currentEnvironment()["PATH"] ?? "/usr/bin:/bin"
        guard let found = path.split(separator: ":").map({ "\($0)/luacheck" }).first(where: FileSystem.exists) else {
            throw XCTSkip("luacheck is not installed, so the shipped Lua was not linted (Debian: apt-get install lua-check; scripts/test installs it)")
        }
        return found
    }

    /// Runs luacheck with the checkout's `.luacheckrc` on `targets`, relative to `dir`
    /// (its file patterns, like `**/daemons.lua`, are matched against those paths).
    func lint(_ targets: [String], in dir: String = repoRoot) throws -> CommandRunner.Result {
        let script = "cd \"$0\" && lc=\"$1\" && shift && exec \"$lc\" --config \"$TEND_LUACHECKRC\" --no-color --codes \"$@\""
        var env = Spawner.currentEnvironment()
        env["TEND_LUACHECKRC"] = "\(Self.repoRoot)/.luacheckrc"
        return try CommandRunner.run(["/bin/sh", "-c", script, dir, try luacheck()] + targets, env: env)
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
