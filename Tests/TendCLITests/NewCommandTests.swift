import XCTest
import TendSystem
import TendTestSupport

/// `tend new policy|check|plugin NAME`: a starter file that loads, runs and simulates,
/// and never an overwritten file.
final class NewCommandTests: CLITestCase {
    func testWritesStartersThatLoadRunAndSimulate() throws {
        for (what, relative) in [("policy", "policies/mine.lua"), ("check", "policies/health/mine.lua"), ("plugin", "plugins/mine.lua")] {
            let r = try tend("new", what, "mine")
            let path = "\(temp.config)/\(relative)"
            XCTAssertTrue(r.stdout.hasPrefix("wrote \(path)\n"), r.description)
            let text = try String(contentsOfFile: path)
            XCTAssertTrue(text.hasPrefix("-- mine: a "), text)
            XCTAssertFalse(text.contains("{{"), "a placeholder was left in \(relative)")
        }
        // All three load with the right shape.
        try temp.writeDaemons(ticker("web", extra: #"policy = "mine", health = { check = "mine", max_rss_mb = 64 }"#))
        let check = try tend("check-config")
        XCTAssertTrue(check.stdout.hasPrefix("OK: "), check.description)

        // The policy starter decides: a failure restarts, a clean exit stays down.
        try temp.write("deaths.json", #"[{"uptime": 30, "code": 1}, {"uptime": 30, "signal": "SIGKILL"}, {"uptime": 30, "code": 0}, {"uptime": 1, "code": 1}]"#)
        let sim = try tend("policy", "simulate", "web", "--deaths", "\(temp.root)/deaths.json", "--format", "json")
        let decisions = try XCTUnwrap(JSONSerializationLite.parse(sim.stdout)["decisions"] as? [[String: Any]])
        XCTAssertEqual(decisions.map { $0["action"] as? String }, ["restart", "restart", "stay_down"], sim.stdout)
        XCTAssertTrue((try JSONSerializationLite.parse(sim.stdout)["policy"] as? String)?.hasSuffix("/config/policies/mine.lua") ?? false)

        // The plugin starter runs.
        let run = try tend("run", "mine", "tester")
        XCTAssertEqual(run.stdout, "hello, tester\n", run.description)
    }

    func testNeverOverwritesAndRefusesPaths() throws {
        try tend("new", "policy", "mine")
        let path = "\(temp.config)/policies/mine.lua"
        try "-- my edits\nreturn { decide = function() return { action = 'restart' } end }\n".write(toFile: path, atomically: true, encoding: .utf8)
        let again = try tend("new", "policy", "mine", expect: 1)
        XCTAssertTrue(again.stderr.contains("\(path) exists already; it was not overwritten"), again.description)
        XCTAssertTrue(try String(contentsOfFile: path).hasPrefix("-- my edits"), "the file was overwritten")

        for bad in ["../evil", "/tmp/x", ".hidden", "a/b"] {
            let r = try tend("new", "plugin", bad, expect: 1)
            XCTAssertTrue(r.stderr.contains("not a plugin name"), "\(bad): \(r.description)")
        }
        XCTAssertFalse(FileSystem.exists("\(temp.root)/evil.lua"))
        try tend("new", "script", "x", expect: 64)
    }

    /// A starter named like a shipped script shadows it: said plainly.
    func testShadowingAShippedScriptIsSaid() throws {
        let r = try tend("new", "check", "tcp_port")
        XCTAssertTrue(r.stdout.contains("note: it shadows the shipped "), r.description)
    }

    func testStartersPassLuacheck() throws {
        guard let luacheck = Luacheck.path else { throw XCTSkip(Luacheck.missing) }
        for what in ["policy", "check", "plugin"] { try tend("new", what, "linted") }
        let r = try Luacheck.run(luacheck, ["."], in: temp.config, config: "\(Checkout.root)/.luacheckrc")
        XCTAssertEqual(r.code, 0, r.stdout + r.stderr)
        XCTAssertTrue(r.stdout.contains("0 warnings / 0 errors in 3 files"), r.stdout)
    }
}
