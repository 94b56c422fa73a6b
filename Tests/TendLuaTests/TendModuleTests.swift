import XCTest
import TendCore
import TendSystem
@testable import TendLua
#if canImport(Glibc)
import Glibc
#endif

/// The `tend` module's functions, called from Lua.
final class TendModuleTests: LuaTestCase {
    func testProcessInfoAliveIdentityAndSignalVerification() throws {
        let host = try makeHost()
        let me = getpid()
        let r = try eval(host, """
            local pid = \(me)
            local info = tend.process.info(pid)
            local id = tend.process.identity(pid)
            local none, err = tend.process.info(999999)
            local sent, why = tend.process.signal(pid, id.start_time + 1, "CONT")
            return {
              name = info.name, same = info.start_time == id.start_time, threads = info.threads > 0,
              alive = tend.process.alive(pid), alive_id = tend.process.alive(pid, id.start_time),
              alive_wrong = tend.process.alive(pid, id.start_time + 1), alive_none = tend.process.alive(999999),
              none = none == nil, err = err, sent = sent == nil, why = why,
              cont = tend.process.signal(pid, id.start_time, "SIGCONT"),
            }
            """)
        XCTAssertEqual(r["same"], .bool(true))
        XCTAssertEqual(r["threads"], .bool(true))
        XCTAssertEqual(r["alive"], .bool(true))
        XCTAssertEqual(r["alive_id"], .bool(true))
        XCTAssertEqual(r["alive_wrong"], .bool(false))
        XCTAssertEqual(r["alive_none"], .bool(false))
        XCTAssertEqual(r["none"], .bool(true))
        XCTAssertEqual(r["err"], .string("no process with PID 999999"))
        XCTAssertEqual(r["sent"], .bool(true), "a PID whose start time does not match is never signalled")
        XCTAssertTrue(r["why"]?.stringValue?.contains("another process") ?? false, "\(String(describing: r["why"]))")
        XCTAssertEqual(r["cont"], .bool(true))
    }

    /// A wrong start time must mean no signal at all: SIGKILL to a child with a wrong
    /// start time leaves it alive; with the right one it dies.
    func testSignalWithAWrongStartTimeLeavesTheProcessAlive() throws {
        let child = try Spawner.spawn(["/bin/sleep", "300"])
        let identity = try XCTUnwrap(ProcessTable.identity(of: child))
        var reaped = false
        defer { if !reaped { Signals.send(.kill, to: identity); var st: Int32 = 0; waitpid(child, &st, 0) } }
        let host = try makeHost()
        let r = try eval(host, """
            local sent, why = tend.process.signal(\(child), \(identity.startTime + 1), "KILL")
            return { sent = sent == true, why = why }
            """)
        XCTAssertEqual(r["sent"], .bool(false))
        XCTAssertEqual(ProcessTable.check(identity), .alive, "an unverified process was signalled")
        let killed = try eval(host, "return { sent = tend.process.signal(\(child), \(identity.startTime), 'KILL') }")
        XCTAssertEqual(killed["sent"], .bool(true))
        var status: Int32 = 0
        XCTAssertEqual(waitpid(child, &status, 0), child)
        reaped = true
        XCTAssertEqual(status & 0x7f, SIGKILL)
    }

    func testProcessRunCapturesOutputAndKillsOnTimeout() throws {
        let host = try makeHost(budget: 10)
        let r = try eval(host, """
            local ok = tend.process.run({"/bin/sh", "-c", "echo out; echo err >&2; exit 4"})
            local env = tend.process.run({"/bin/sh", "-c", "echo $TEND_X; pwd"}, { env = { TEND_X = "hello" }, cwd = "/" })
            local t0 = tend.time.monotonic()
            local slow = tend.process.run({"/bin/sh", "-c", "sleep 30 & sleep 30"}, { timeout = 0.2 })
            local missing, err = tend.process.run({"/no/such/program"})
            return { code = ok.code, out = ok.stdout, err_out = ok.stderr, env = env.stdout, timed_out = slow.timed_out,
                     signal = slow.signal, quick = tend.time.monotonic() - t0 < 3, missing = missing == nil, err = err }
            """)
        XCTAssertEqual(r["code"], .int(4))
        XCTAssertEqual(r["out"], .string("out\n"))
        XCTAssertEqual(r["err_out"], .string("err\n"))
        XCTAssertEqual(r["env"], .string("hello\n/\n"))
        XCTAssertEqual(r["timed_out"], .bool(true))
        XCTAssertEqual(r["signal"], .string("SIGTERM"), "the teardown asks first; sleep obeys")
        XCTAssertEqual(r["quick"], .bool(true), "the background sleep in the group is killed too, so the pipe closes")
        XCTAssertEqual(r["missing"], .bool(true))
        XCTAssertEqual(r["err"], .string("command not found: /no/such/program"))
    }

    func testFsFunctions() throws {
        let host = try makeHost()
        let dir = "\(root)/fs"
        let r = try eval(host, """
            local dir = "\(dir)"
            assert(tend.fs.mkdir(dir .. "/a/b"))
            assert(tend.fs.write(dir .. "/a/f.txt", "one"))
            assert(tend.fs.append(dir .. "/a/f.txt", "+two"))
            local text = tend.fs.read(dir .. "/a/f.txt")
            local missing, err = tend.fs.read(dir .. "/nope")
            local st = tend.fs.stat(dir .. "/a/f.txt")
            assert(tend.fs.rename(dir .. "/a/f.txt", dir .. "/a/g.txt"))
            local names = tend.fs.list(dir .. "/a")
            assert(tend.fs.remove(dir .. "/a/g.txt"))
            assert(tend.fs.remove(dir .. "/a/b"))
            local nolist, listerr = tend.fs.list(dir .. "/nope")
            return { text = text, missing = missing == nil, err = err, size = st.size, is_dir = st.is_dir,
                     names = names, exists = tend.fs.exists(dir .. "/a/g.txt"), isdir = tend.fs.is_dir(dir .. "/a"),
                     nolist = nolist == nil, listerr = listerr, fresh = tend.time.now() - st.mtime < 60 }
            """)
        XCTAssertEqual(r["text"], .string("one+two"))
        XCTAssertEqual(r["missing"], .bool(true))
        XCTAssertEqual(r["err"], .string("open \(dir)/nope: No such file or directory"))
        XCTAssertEqual(r["size"], .int(7))
        XCTAssertEqual(r["is_dir"], .bool(false))
        XCTAssertEqual(r["names"], .array([.string("b"), .string("g.txt")]))
        XCTAssertEqual(r["exists"], .bool(false))
        XCTAssertEqual(r["isdir"], .bool(true))
        XCTAssertEqual(r["nolist"], .bool(true))
        XCTAssertEqual(r["listerr"], .string("\(dir)/nope: not a directory"))
        XCTAssertEqual(r["fresh"], .bool(true))
    }

    func testJsonEncodeDecode() throws {
        let host = try makeHost()
        let r = try eval(host, """
            local v = tend.json.decode('{"a":[1,2.5,"x",true],"b":{"c":null}}')
            local bad, err = tend.json.decode('{oops')
            return { enc = tend.json.encode(v), a3 = v.a[3], bad = bad == nil, has_err = type(err) == "string",
                     empty = tend.json.encode({}), arr = tend.json.encode({"x", "y"}) }
            """)
        XCTAssertEqual(r["enc"], .string("{\"a\":[1,2.5,\"x\",true],\"b\":{}}"))
        XCTAssertEqual(r["a3"], .string("x"))
        XCTAssertEqual(r["bad"], .bool(true))
        XCTAssertEqual(r["has_err"], .bool(true))
        XCTAssertEqual(r["empty"], .string("{}"))
        XCTAssertEqual(r["arr"], .string("[\"x\",\"y\"]"))
    }

    func testPidFunctionsUseTheHome() throws {
        let host = try makeHost()
        let me = getpid()
        let r = try eval(host, """
            assert(tend.pid.write("lua-d", \(me)))
            local pid = tend.pid.read("lua-d")
            local v = tend.pid.verify("lua-d")
            local refused, why = tend.pid.write("gone-d", 999999)
            assert(refused == nil and why:find("not running"), tostring(why))
            assert(tend.fs.write(tend.home() .. "/.pids/gone-d.pid", "999999\\n"))
            local h = tend.pid.health({"lua-d", "gone-d", "never-d"})
            local c = tend.pid.cleanup()
            local none, err = tend.pid.read("gone-d")
            assert(tend.pid.remove("lua-d"))
            local ok, bad = pcall(tend.pid.write, "../x", 1)
            return { pid = pid, verdict = v.verdict, running = h.running, stale = h.stale, missing = h.missing,
                     removed = c.removed[1].daemon, none = none == nil, err = err, bad = bad, home = tend.home(),
                     config = tend.config_dir() }
            """)
        XCTAssertEqual(r["pid"], .int(Int64(me)))
        XCTAssertEqual(r["verdict"], .string("RUNNING"))
        XCTAssertEqual(r["running"], .int(1))
        XCTAssertEqual(r["stale"], .array([.string("gone-d")]))
        XCTAssertEqual(r["missing"], .array([.string("never-d")]))
        XCTAssertEqual(r["removed"], .string("gone-d"))
        XCTAssertEqual(r["none"], .bool(true))
        XCTAssertEqual(r["err"], .string("no PID file for gone-d"))
        XCTAssertTrue(r["bad"]?.stringValue?.contains("cannot start with '.'") ?? false, "\(String(describing: r["bad"]))")
        XCTAssertEqual(r["home"], .string(home.root))
        XCTAssertEqual(r["config"], .string(configDir))
        XCTAssertFalse(FileSystem.exists(home.pidFile("lua-d")))
    }

    func testTimeFunctions() throws {
        let host = try makeHost()
        let r = try eval(host, """
            local m0 = tend.time.monotonic()
            tend.time.sleep(0.05)
            return { slept = tend.time.monotonic() - m0 >= 0.04, iso = tend.time.iso8601(0),
                     now = math.abs(tend.time.now() - os.time()) < 5 }
            """)
        XCTAssertEqual(r, .object(["slept": .bool(true), "iso": .string("1970-01-01T00:00:00.000Z"), "now": .bool(true)]))
    }

    func testTcpProbeRefusedAndBadArguments() throws {
        let host = try makeHost()
        let r = try eval(host, """
            local ok, err = tend.net.tcp_probe("127.0.0.1", 1, 0.5)
            local ok6, err6 = tend.net.tcp_probe("::1", 1, 0.5)
            local raised = pcall(tend.net.tcp_probe, "127.0.0.1", 70000)
            return { ok = ok, err = err, ok6 = ok6, raised = raised }
            """)
        XCTAssertEqual(r["ok"], .bool(false))
        XCTAssertTrue(r["err"]?.stringValue?.contains("refused") ?? false, "\(String(describing: r["err"]))")
        XCTAssertEqual(r["ok6"], .bool(false))
        XCTAssertEqual(r["raised"], .bool(false))
    }

    func testLogFunctionsWriteRecords() throws {
        let host = try makeHost()
        let r = try eval(host, """
            return {
              tend.log.info("hello", { answer = 42 }), tend.log.error("bad"), tend.log.policy_hit("restart.lua", "restart", "ctx"),
              tend.log.health_event("probe_failed", "port closed", "warning"), tend.log.startup(), tend.log.shutdown("done"),
              tend.log.exception("boom", "tb"), tend.log.performance("op", 1.5, true), tend.log.debug("d"), tend.log.warning("w"),
              tend.log.critical("c"),
            }
            """)
        XCTAssertEqual(r, .array(Array(repeating: .bool(true), count: 11)))
        let daemonLog = try FileSystem.readText(home.daemonLog("lua-test"))
        XCTAssertEqual(daemonLog.split(separator: "\n").count, 11)
        XCTAssertTrue(daemonLog.contains("\"answer\":42"), daemonLog)
        XCTAssertTrue(try FileSystem.readText(home.policyHitsLog).contains("restart.lua"))
        XCTAssertTrue(try FileSystem.readText(home.healthLog).contains("port closed"))
        XCTAssertThrowsError(try eval(host, "tend.log.health_event('e', 'm', 'loud')")) { error in
            XCTAssertTrue("\(error)".contains("unknown level 'loud'"), "\(error)")
        }
    }
}
