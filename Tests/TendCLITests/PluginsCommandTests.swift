import XCTest
import TendSystem
import TendTestSupport
#if canImport(Glibc)
import Glibc
#endif

/// `tend plugins`, `tend run NAME` (command and daemon plugins) and `tend check-config`
/// with the real binary. Background plugin processes are stopped by PID in tearDown.
final class PluginsCommandTests: CLITestCase {
    static let shipped = ["commit-daemon", "context-daemon", "failure-prevention-daemon", "pattern-detection-daemon",
                          "preference-auto-tracker", "session-auto-save-daemon", "session-pruning-daemon",
                          "skill-auto-suggester", "startup"]

    // MARK: tend plugins

    func testPluginsListsKindSummaryAndTheFileThatWins() throws {
        try temp.write("config/plugins/context-daemon.lua", "return { summary = 'my own context daemon', interval = 5, tick = function() end }\n")
        try temp.write("config/plugins/hello.lua", "return { summary = 'say hello', run = function(args) print('hello') end }\n")
        try temp.write("config/plugins/broken.lua", "return 42\n")
        let table = try tend("plugins").stdout
        let rows = table.split(separator: "\n").map(String.init)
        XCTAssertEqual(rows.first?.split(separator: " ", omittingEmptySubsequences: true), ["NAME", "KIND", "SOURCE", "SUMMARY", "FILE"])
        func row(_ name: String) -> String { rows.first { $0.hasPrefix(name + " ") } ?? "" }
        XCTAssertTrue(row("context-daemon").contains("daemon"), table)
        XCTAssertTrue(row("context-daemon").contains(" user "), table)
        XCTAssertTrue(row("context-daemon").hasSuffix("\(temp.config)/plugins/context-daemon.lua"), table)
        XCTAssertTrue(row("hello").contains("command  user"), table)
        XCTAssertTrue(row("startup").contains("sequence shipped"), table)
        XCTAssertTrue(row("broken").contains("broken"), table)
        XCTAssertTrue(row("broken").contains("broken.lua:1: the script must return a table"), table)

        let json = try JSONSerializationLite.parse(try tend("plugins", "--format", "json").stdout)
        let items = try XCTUnwrap(json["plugins"] as? [[String: Any]])
        XCTAssertEqual(Set(items.compactMap { $0["name"] as? String }), Set(Self.shipped + ["hello", "broken"]))
        let context = try XCTUnwrap(items.first { $0["name"] as? String == "context-daemon" })
        XCTAssertEqual(context["source"] as? String, "user")
        XCTAssertEqual(context["summary"] as? String, "my own context daemon")
        let pruning = try XCTUnwrap(items.first { $0["name"] as? String == "session-pruning-daemon" })
        XCTAssertEqual(pruning["source"] as? String, "shipped")
        XCTAssertEqual(pruning["kind"] as? String, "daemon")
    }

    // MARK: Names

    func testPathsAreRefused() throws {
        for name in ["../x", "/etc/passwd", "a/../../b", ".hidden"] {
            let r = try tend("run", name, expect: nil)
            XCTAssertNotEqual(r.code, 0)
            XCTAssertTrue(r.stderr.contains("'\(name)' is not a plugin name: give a name like"), r.stderr)
            XCTAssertTrue(r.stderr.contains("not a path"), r.stderr)
        }
    }

    func testAnUnknownPluginListsWhatExists() throws {
        let r = try tend("run", "nope", expect: 1)
        XCTAssertTrue(r.stderr.contains("unknown plugin 'nope'; available: \(Self.shipped.joined(separator: ", "))"), r.stderr)
    }

    // MARK: Commands

    func testACommandPluginGetsItsArgumentsAndSetsTheExitCode() throws {
        try temp.write("config/plugins/hello.lua", """
            return {
              summary = "Greets its arguments",
              run = function(args)
                print("hello " .. table.concat(args, " ") .. " from " .. tend.home())
                return #args
              end,
            }
            """)
        let r = try tend("run", "hello", "one", "two", "--", "--three", expect: 3)
        XCTAssertEqual(r.stdout, "hello one two --three from \(temp.home)\n")
        let failing = try tend("run", "hello", "--once", expect: 1)
        XCTAssertTrue(failing.stderr.contains("'hello' is a command plugin"), failing.stderr)
    }

    func testACommandThatRaisesSaysWhere() throws {
        try temp.write("config/plugins/oops.lua", "return { run = function(args)\n  error('no such thing')\nend }\n")
        let r = try tend("run", "oops", expect: 1)
        XCTAssertTrue(r.stderr.contains("\(temp.config)/plugins/oops.lua:2: no such thing"), r.stderr)
    }

    // MARK: Daemons

    /// A daemon plugin that counts its ticks into the home and raises on every tick when `raise`.
    func writeBeat(_ name: String, raise: Bool = false) throws {
        try temp.write("config/plugins/\(name).lua", """
            return {
              summary = "Counts its ticks",
              interval = 60,
              tick = function(ctx)
                ctx.state.n = (ctx.state.n or 0) + 1
                tend.fs.write(ctx.home .. "/\(name).ticks", tostring(ctx.state.n))
                \(raise ? "error(\"tick \" .. ctx.state.n .. \" broke\")" : "")
              end,
            }
            """)
    }

    /// Starts `tend run ARGS…` in the background (its own process group), recorded for tearDown.
    func spawnTend(_ args: [String]) throws -> Int32 {
        try FileSystem.makeDirectory(temp.home)
        let log = try openAppend("\(temp.root)/run.out")
        defer { closeFD(log) }
        let pid = try Spawner.spawn([CommandRunner.tendBinary] + args, environment: temp.environment, output: log)
        if let identity = ProcessTable.identity(of: pid) { extraProcesses.append(identity) }
        return pid
    }

    /// Waits for our child to end; returns its exit code (nil if it did not end in time).
    func waitForExit(_ pid: Int32, timeout: Double = 20) -> Int32? {
        var status: Int32 = 0
        let ended = Wait.until(timeout: timeout) { waitpid(pid, &status, WNOHANG) == pid }
        guard ended else { return nil }
        return (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
    }

    func ticks(_ name: String) -> Int {
        Int((try? FileSystem.readText("\(temp.home)/\(name).ticks")) ?? "") ?? 0
    }

    func testADaemonPluginTicksAndStopsCleanlyOnSIGTERM() throws {
        try writeBeat("beat")
        let pid = try spawnTend(["run", "beat", "--interval", "0.05"])
        XCTAssertTrue(Wait.until(timeout: 20) { self.ticks("beat") >= 3 }, "the daemon should tick every 0.05 s")
        XCTAssertEqual(kill(pid, SIGTERM), 0)
        XCTAssertEqual(waitForExit(pid), 0)
        let log = try FileSystem.readText("\(temp.home)/logs/daemons/beat.log")
        XCTAssertTrue(log.contains("\"type\":\"startup\""), log)
        XCTAssertTrue(log.contains("\"msg\":\"stopped: SIGTERM\""), log)
    }

    func testSIGTERMEndsALongWaitAtOnce() throws {
        try writeBeat("slow")
        let pid = try spawnTend(["run", "slow"])   // interval 60 s
        XCTAssertTrue(Wait.until(timeout: 20) { self.ticks("slow") == 1 })
        let sent = Clock.monotonic()
        XCTAssertEqual(kill(pid, SIGTERM), 0)
        XCTAssertEqual(waitForExit(pid), 0)
        XCTAssertLessThan(Clock.monotonic() - sent, 10, "the wait between ticks must end on SIGTERM, not after 60 s")
    }

    func testABrokenTickNeverKillsTheDaemon() throws {
        try writeBeat("flaky", raise: true)
        var env = temp.environment
        env["TEND_INTERVAL"] = "0.05"
        try FileSystem.makeDirectory(temp.home)
        let pid = try Spawner.spawn([CommandRunner.tendBinary, "run", "flaky"], environment: env, output: -1)
        if let identity = ProcessTable.identity(of: pid) { extraProcesses.append(identity) }
        XCTAssertTrue(Wait.until(timeout: 20) { self.ticks("flaky") >= 3 }, "ticks go on after errors")
        XCTAssertNotNil(ProcessTable.identity(of: pid), "still running")
        XCTAssertEqual(kill(pid, SIGTERM), 0)
        XCTAssertEqual(waitForExit(pid), 0)
        let health = try FileSystem.readText("\(temp.home)/logs/health.log")
        XCTAssertTrue(health.contains("tick failed: \(temp.config)/plugins/flaky.lua:7: tick 2 broke"), health)
    }

    func testOnceRunsOneTickAndExitsOneWhenItRaises() throws {
        try writeBeat("beat")
        try tend("run", "beat", "--once")
        XCTAssertEqual(ticks("beat"), 1)
        try writeBeat("flaky", raise: true)
        let r = try tend("run", "flaky", "--once", expect: 1)
        XCTAssertTrue(r.stderr.contains("\(temp.config)/plugins/flaky.lua:7: tick 1 broke"), r.stderr)
    }

    // MARK: check-config

    func testCheckConfigPassesOnTheShippedConfiguration() throws {
        let r = try tend("check-config")
        let summary = r.stdout.split(separator: "\n").last.map(String.init) ?? ""
        XCTAssertTrue(summary.hasPrefix("OK: "), r.stdout)
        XCTAssertTrue(r.stdout.contains("context-daemon"), "every daemon's scripts are listed: \(r.stdout)")
        XCTAssertTrue(r.stdout.contains("(8 daemons)"), r.stdout)
        XCTAssertTrue(r.stdout.contains("9 plugins"), r.stdout)
    }
}
