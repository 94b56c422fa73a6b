import XCTest
import TendCore
import TendSystem
@testable import TendLua

final class ScriptLoadingTests: LuaTestCase {
    func testPathLikeNamesAreRefused() throws {
        let host = try makeHost()
        for name in ["../x", "/etc/x", "a/../../b", ".hidden", ""] {
            for kind in [ScriptPaths.Kind.plugin, .policy, .health] {
                XCTAssertThrowsError(try host.loadScript(named: name, kind: kind), "\(name)") { error in
                    let e = error as! LuaError
                    XCTAssertEqual(e.kind, .notFound)
                    XCTAssertTrue(e.message.contains("not a") || e.message.contains("cannot be empty"), e.message)
                }
            }
        }
        XCTAssertThrowsError(try host.loadScript(named: "../x", kind: .plugin)) { error in
            XCTAssertEqual("\(error)", "'../x' is not a plugin name: give a name like 'restart', not a path")
        }
    }

    func testUserCopyShadowsTheShippedScript() throws {
        let host = try makeHost()
        XCTAssertEqual(try host.loadScript(named: "restart", kind: .policy).path, "\(Self.repoRoot)/policies/restart.lua")
        let mine = try writeConfig("policies/restart.lua", "return { decide = function() return { action = 'stay_down' } end }\n")
        XCTAssertEqual(try host.loadScript(named: "restart", kind: .policy).path, mine)
    }

    func testMissingScriptNamesWhereItLooked() throws {
        XCTAssertThrowsError(try makeHost().loadScript(named: "nothing-here", kind: .health)) { error in
            XCTAssertEqual((error as! LuaError).kind, .notFound)
            XCTAssertTrue("\(error)".contains("\(self.configDir)/policies/health"), "\(error)")
        }
    }

    func testScriptMustReturnATable() throws {
        let file = try writeConfig("plugins/no-table.lua", "local x = 1\nreturn 42\n")
        XCTAssertThrowsError(try makeHost().loadScript(named: "no-table", kind: .plugin)) { error in
            let e = error as! LuaError
            XCTAssertEqual(e.kind, .badReturn)
            XCTAssertEqual(e.message, "\(file):2: the script must return a table, got a number")
        }
    }

    func testShebangLineIsIgnoredAndLinesStayRight() throws {
        let file = try writeConfig("plugins/shebang.lua", "#!/usr/bin/env tend\nerror('line two')\n")
        XCTAssertThrowsError(try makeHost().loadScript(file: file, in: .full)) { error in
            XCTAssertEqual("\(error)", "\(file):2: line two")
        }
    }

    func testCheckConfigOnTheShippedScriptsReportsOnlyMissingPlugins() throws {
        let report = ConfigChecker.run(paths: paths, home: home)
        XCTAssertEqual(report.policies, 1)
        XCTAssertEqual(report.healthChecks, 5)
        XCTAssertEqual(report.daemons, 8)
        // The shipped config names plugins another part of the project provides; until
        // they exist, each missing one is reported at its daemon's line.
        for p in report.problems {
            XCTAssertTrue(p.message.contains("no plugin"), p.description)
            XCTAssertEqual(p.file, "\(Self.repoRoot)/config/daemons.lua")
        }
    }

    func testCheckConfigNamesEveryBrokenScript() throws {
        let daemons = try writeConfig("daemons.lua", """
            daemon "a" { command = {"/bin/true"}, policy = "missing-policy" }
            daemon "b" { command = {"/bin/true"}
            """)
        let broken = try writeConfig("policies/broken.lua", "return {\n  decide = function(\nend }\n")
        let shape = try writeConfig("policies/health/shape.lua", "return { check = 'not a function' }\n")
        let plugin = try writeConfig("plugins/raises.lua", "local t = {}\nreturn t.x.y\n")
        let report = ConfigChecker.run(paths: userOnlyPaths, home: home)
        let lines = report.problems.map(\.description)
        XCTAssertFalse(report.ok)
        XCTAssertTrue(lines.contains { $0.hasPrefix("\(daemons):2: ") || $0.hasPrefix("\(daemons):3: ") }, "\(lines)")
        XCTAssertTrue(lines.contains { $0.hasPrefix("\(broken):3: ") }, "\(lines)")
        XCTAssertTrue(lines.contains { $0.hasPrefix("\(shape):1: the health check table is wrong: 'check' must be a function") }, "\(lines)")
        XCTAssertTrue(lines.contains { $0.hasPrefix("\(plugin):2: ") }, "\(lines)")
        XCTAssertTrue(report.summary.hasPrefix("\(report.problems.count) problems in"), report.summary)

        try writeConfig("daemons.lua", "daemon \"a\" { command = {\"/bin/true\"}, policy = \"missing-policy\" }\n")
        let refs = ConfigChecker.run(paths: userOnlyPaths, home: home).problems.map(\.description)
        XCTAssertTrue(refs.contains { $0.hasPrefix("\(daemons):1: daemon 'a': no policy 'missing-policy'") }, "\(refs)")
    }

    /// Each script loads in its role's environment: os.exit is simply absent for a policy
    /// or check (an error at its line), and stopped for a plugin (whose os.exit would end
    /// check-config itself with status 0). Every problem is blamed on its own file, and the
    /// summary names the failing files.
    func testCheckConfigBlamesTheRightFileAndCatchesOsExit() throws {
        try writeConfig("daemons.lua", """
            daemon "a" { command = {"/bin/true"}, policy = "quits", health = "exits" }
            daemon "b" { plugin = "leaves", health = function(d) return true end }
            daemon "c" { command = {"/bin/true"}, health = { check = "nowhere" } }
            """)
        let daemons = "\(configDir)/daemons.lua"
        let policy = try writeConfig("policies/quits.lua", "local x = 1\nos.exit(0)\nreturn { decide = function() end }\n")
        let check = try writeConfig("policies/health/exits.lua", "return { check = function() os.exit(1) end, timeout = os.exit() }\n")
        let plugin = try writeConfig("plugins/leaves.lua", "local x = 1\n\nos.exit(3)\nreturn { run = function() end }\n")
        let report = ConfigChecker.run(paths: userOnlyPaths, home: home)
        let lines = report.problems.map(\.description)
        XCTAssertTrue(lines.contains("\(policy):2: attempt to call a nil value (field 'exit')"), "\(lines)")
        XCTAssertTrue(lines.contains("\(check):1: attempt to call a nil value (field 'exit')"), "\(lines)")
        XCTAssertTrue(lines.contains { $0.hasPrefix("\(plugin):3: os.exit called while the script loads") }, "\(lines)")
        XCTAssertTrue(lines.contains { $0.hasPrefix("\(daemons):3: daemon 'c': no health check 'nowhere'") }, "\(lines)")
        XCTAssertEqual(Set(report.failingFiles), [daemons, policy, check, plugin])
        XCTAssertTrue(report.summary.hasPrefix("6 problems in "), report.summary)   // b and c name the policy "restart", not there without the shipped scripts
        for file in [policy, check, plugin, daemons] { XCTAssertTrue(report.summary.contains(file), report.summary) }
        let states = report.scripts.map { "\($0.daemon) \($0.kind.rawValue) \($0.state.rawValue)" }
        XCTAssertEqual(states, ["a policies broken", "a policies/health broken", "b policies missing", "b plugins broken",
                                "b policies/health inline", "c policies missing", "c policies/health missing"])
        XCTAssertEqual(report.scripts.first { $0.state == .inline }?.file, "\(daemons):2")
    }
}
