import XCTest
import TendSystem
import TendTestSupport
#if canImport(Glibc)
import Glibc
#endif

/// `tend policy simulate`: deaths replayed through the monitor's policy code, changing
/// nothing anywhere.
final class PolicySimulateTests: CLITestCase {
    func simulate(_ args: String..., deaths: String, expect code: Int32 = 0,
                  file: StaticString = #filePath, line: UInt = #line) throws -> CommandRunner.Result {
        try temp.write("deaths.json", deaths)
        let argv = ["policy", "simulate"] + args + ["--deaths", "\(temp.root)/deaths.json"]
        let r = try CommandRunner.tend(argv, env: temp.environment)
        XCTAssertEqual(r.code, code, r.description, file: file, line: line)
        return r
    }

    func decisions(_ r: CommandRunner.Result) throws -> [[String: Any]] {
        try XCTUnwrap(JSONSerializationLite.parse(r.stdout)["decisions"] as? [[String: Any]], r.description)
    }

    /// Every file below `dir` with its size and modification time.
    func snapshot(_ dir: String) -> [String: String] {
        var out: [String: String] = [:]
        func walk(_ d: String) {
            for name in (try? FileSystem.list(d)) ?? [] {
                let path = "\(d)/\(name)"
                if FileSystem.isDirectory(path) { out[path] = "dir"; walk(path) }
                else if let info = FileSystem.info(path) { out[path] = "\(info.size) \(info.modified)" }
            }
        }
        walk(dir)
        return out
    }

    let issueDeaths = #"[{"uptime": 3600, "code": 1}, {"uptime": 10, "code": 1}, {"uptime": 100, "signal": "SIGKILL"}, {"uptime": 100, "code": 1}]"#

    /// The issue's check: max_per_hour 3, cooldown 60; uptimes 3600, 10, 100, 100.
    func testShippedPolicyGivesRestartWait50RestartWait3340AndTouchesNothing() throws {
        try temp.writeDaemons(ticker("web", extra: "restart = { max_per_hour = 3, cooldown = 60 }"))
        let r = try simulate("web", "--format", "json", deaths: issueDeaths)
        let d = try decisions(r)
        XCTAssertEqual(d.map { $0["action"] as? String }, ["restart", "wait", "restart", "wait"])
        XCTAssertEqual(d[1]["delay"] as? Double, 50)
        XCTAssertEqual(d[3]["delay"] as? Double, 3340)
        XCTAssertEqual(d.map { $0["at"] as? Double }, [3600, 3610, 3760, 3860], "each death uptime s after the restart before it")
        XCTAssertEqual(d.map { $0["version"] as? String }, ["current", "current", "current", "current"])
        let object = try JSONSerializationLite.parse(r.stdout)
        XCTAssertEqual(object["daemon"] as? String, "web")
        XCTAssertTrue((object["policy"] as? String)?.hasSuffix("/policies/restart.lua") ?? false, r.stdout)
        XCTAssertEqual(r.stdout.split(separator: "\n").count, 1, "compact JSON on one line")

        let text = try simulate("web", deaths: issueDeaths)
        let rows = text.stdout.split(separator: "\n").map(String.init)
        XCTAssertTrue(rows[0].hasPrefix("Policy: ") && rows[0].hasSuffix("/policies/restart.lua"), text.stdout)
        for (at, decision) in [("1h00m00s", "restart now"), ("1h00m10s", "wait 50s"), ("1h02m40s", "restart now"), ("1h04m20s", "wait 3340s")] {
            XCTAssertTrue(rows.contains { $0.hasPrefix(at) && $0.contains(decision) }, "\(at) \(decision) missing:\n\(text.stdout)")
        }
        XCTAssertTrue(text.stdout.contains("killed by SIGKILL"), text.stdout)
        XCTAssertFalse(FileSystem.exists(temp.home), "simulate created the home: \(snapshot(temp.home))")
    }

    func testStayDownEndsTheReplayAndAnUnsavedPolicyFileIsUsed() throws {
        try temp.writeDaemons(ticker("web"))
        try temp.write("edit.lua", """
            return { decide = function(d, exit)
              if exit.code == 0 then return { action = "stay_down", reason = "clean exit" } end
              return { action = "restart", reason = "try again: " .. exit.reason }
            end }
            """)
        let deaths = #"[{"uptime": 5, "code": 3}, {"uptime": 5, "code": 0}, {"uptime": 5, "code": 1}, {"uptime": 5, "signal": "SIGTERM"}]"#
        let r = try simulate("web", "--policy", "\(temp.root)/edit.lua", "--format", "json", deaths: deaths)
        let d = try decisions(r)
        XCTAssertEqual(d.map { $0["action"] as? String }, ["restart", "stay_down"])
        XCTAssertEqual(d.map { $0["reason"] as? String }, ["try again: exited with code 3", "clean exit"])
        let object = try JSONSerializationLite.parse(r.stdout)
        XCTAssertEqual(object["not_replayed"] as? Int, 2)
        XCTAssertEqual(object["policy"] as? String, "\(temp.root)/edit.lua")

        let text = try simulate("web", "--policy", "\(temp.root)/edit.lua", deaths: deaths)
        XCTAssertTrue(text.stdout.contains("stay down") && text.stdout.contains("2 later deaths were not replayed"), text.stdout)
    }

    func testBrokenPolicyPrintsFileLineAndShowsTheFallbacksDecisions() throws {
        try temp.writeDaemons(ticker("web"))
        try temp.write("config/policies/restart.lua", "return { decide = function(d, exit)\n  local t = nil\n  return t.action\nend }\n")
        let r = try simulate("web", deaths: issueDeaths, expect: 1)
        XCTAssertTrue(r.stderr.contains("\(temp.config)/policies/restart.lua:3:"), r.description)
        XCTAssertTrue(r.stdout.contains("built-in fallback"), r.stdout)
        XCTAssertTrue(r.stdout.contains("restart now (fallback)") && r.stdout.contains("wait 50s (fallback)"), r.stdout)

        let json = try simulate("web", "--format", "json", deaths: issueDeaths, expect: 1)
        XCTAssertEqual(try decisions(json).map { $0["version"] as? String }, ["fallback", "fallback", "fallback", "fallback"])
        XCTAssertEqual(try decisions(json).map { $0["action"] as? String }, ["restart", "wait", "restart", "wait"],
                       "the fallback has the seed's limits")
    }

    func testBadInputIsAClearMessage() throws {
        try temp.writeDaemons(ticker("web"))
        let cases: [(String, String)] = [
            ("[{\"uptime\": 5, \"code\": 1},\n {\"uptime\": 5 \"code\": 1}]", "deaths.json:2:15: not valid JSON"),
            (#"{"uptime": 5}"#, "expected a JSON array of deaths"),
            (#"[{"uptime": 5}]"#, "death 1: give how it ended"),
            (#"[{"uptime": -1, "code": 1}]"#, "death 1: 'uptime' must be a number of seconds >= 0"),
            (#"[{"uptime": 1, "code": 1}, {"uptime": 1, "signal": "SIGNOPE"}]"#, "death 2: 'signal' must be a signal name"),
            (#"[{"uptime": 1, "code": 1, "signal": "SIGKILL"}]"#, "not several"),
            (#"[{"uptime": 1, "code": 1, "pid": 3}]"#, "unknown key 'pid'"),
        ]
        for (text, message) in cases {
            let r = try simulate("web", deaths: text, expect: 1)
            XCTAssertTrue(r.stderr.contains(message), "\(text):\n\(r.description)")
            XCTAssertFalse(r.stderr.contains("Fatal error") || r.stderr.contains("Stack dump"), r.description)
        }
        let unknown = try simulate("nope", deaths: issueDeaths, expect: 1)
        XCTAssertTrue(unknown.stderr.contains("unknown daemon: nope (known: web)"), unknown.description)
        let missing = try tend("policy", "simulate", "web", "--deaths", "\(temp.root)/absent.json", expect: 1)
        XCTAssertTrue(missing.stderr.contains("absent.json"), missing.description)
        let neither = try tend("policy", "simulate", "web", expect: 64)
        XCTAssertTrue(neither.stderr.contains("--deaths FILE"), neither.description)
        let noPolicy = try simulate("web", "--policy", "\(temp.root)/absent.lua", deaths: issueDeaths, expect: 1)
        XCTAssertTrue(noPolicy.stderr.contains("absent.lua: no such file"), noPolicy.description)
    }

    /// The deaths can come on stdin; what a policy logs is shown, and nothing it does
    /// reaches the disk (a dry run: writes are refused, records captured).
    func testStdinAndADryRunThatWritesNothing() throws {
        try temp.writeDaemons(ticker("web", extra: #"policy = "noisy""#))
        try temp.write("config/policies/noisy.lua", """
            return { decide = function(d, exit)
              local wrote, why = tend.fs.write(tend.home() .. "/written-by-policy", "x")
              tend.log.health_event("gave_up", d.name .. ": noted by the policy", "warning")
              return { action = "stay_down", reason = "write: " .. tostring(wrote) .. " (" .. tostring(why) .. ")" }
            end }
            """)
        try temp.write("deaths.json", #"[{"uptime": 1, "code": 2}]"#)
        let r = try CommandRunner.run(["/bin/sh", "-c", "\"$0\" policy simulate web --deaths - < \"$1\"",
                                       CommandRunner.tendBinary, "\(temp.root)/deaths.json"], env: temp.environment)
        XCTAssertEqual(r.code, 0, r.description)
        XCTAssertTrue(r.stdout.contains("write: nil (tend.fs.write: not done in a dry run"), r.stdout)
        XCTAssertTrue(r.stdout.contains("[warning] web: noted by the policy (health.log)"), r.stdout)
        let json = try decisions(try simulate("web", "--format", "json", deaths: #"[{"uptime": 1, "code": 2}]"#))
        let logged = try XCTUnwrap(json.first?["logged"] as? [[String: Any]], "\(json)")
        XCTAssertEqual(logged.map { $0["msg"] as? String }, ["web: noted by the policy"])
        XCTAssertEqual(logged.first?["type"] as? String, "health_event")
        XCTAssertNil(logged.first?["ts"], "a logged record's time is the step's `at`, not the real clock")
        XCTAssertFalse(FileSystem.exists(temp.home), "the dry run wrote into the home: \(snapshot(temp.home))")
    }

    /// The deaths the monitor recorded, replayed; the home is read, never changed.
    func testFromHistoryReplaysRecordedDeathsWithoutChangingTheHome() throws {
        try temp.writeDaemons(ticker("web"))
        _ = try startAndKill("web", with: [SIGKILL, SIGTERM])
        XCTAssertTrue(Wait.until { ((try? String(contentsOfFile: "\(self.temp.home)/logs/policy-hits.log")) ?? "").split(separator: "\n").count >= 2 })
        try tend("stop", "web")
        let monitor = try XCTUnwrap(monitorPID())
        Signals.send(.kill, to: monitor)
        XCTAssertTrue(Wait.until { ProcessTable.check(monitor) != .alive })

        let before = snapshot(temp.home)
        let r = try tend("policy", "simulate", "web", "--from-history", "--format", "json")
        let d = try decisions(r)
        XCTAssertEqual(d.map { $0["exit"] as? String }, ["killed by SIGKILL", "killed by SIGTERM"], r.stdout)
        XCTAssertEqual(d.first?["action"] as? String, "restart")
        XCTAssertEqual(d.last?["action"] as? String, "wait", "a second death within the cooldown waits")
        XCTAssertEqual(snapshot(temp.home), before, "simulate changed the home")
    }
}
