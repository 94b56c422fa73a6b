import XCTest
import TendCore
import TendSystem
import TendTestSupport
#if canImport(Glibc)
import Glibc
#endif

/// `tend __script-worker`, driven through pipes as the monitor drives it
/// (docs/design/script-worker.md): load, decide and check, and every fault of issue 7
/// answered as a reply naming the file and line, with the worker's memory bounded.
final class ScriptWorkerTests: CLITestCase {
    var workers: [WorkerProcess] = []
    let now = 1_800_000_000.0
    var nextID: UInt64 = 0

    override func tearDown() {
        workers.forEach { $0.stop() }
        workers = []
        super.tearDown()
    }

    func startWorker() throws -> WorkerProcess {
        try FileSystem.makeDirectory("\(temp.home)/.run", mode: 0o700)
        let worker = try WorkerProcess(environment: temp.environment, locationFile: "\(temp.home)/.run/worker-\(workers.count).where",
                                       stderrPath: "\(temp.root)/worker-\(workers.count).err")
        workers.append(worker)
        return worker
    }

    func send<Reply: JSONCodable>(_ worker: WorkerProcess, _ request: (UInt64) -> ScriptWorkerRequest, as: Reply.Type,
                                timeout: Double = 10, file: StaticString = #filePath, line: UInt = #line) throws -> Reply {
        nextID += 1
        let text = String(decoding: ScriptWorkerCoding.line(request(nextID)).dropLast(), as: UTF8.self)
        let reply = try XCTUnwrap(try worker.ask(text, timeout: timeout), "no reply to \(text)", file: file, line: line)
        return try ScriptWorkerCoding.decode(Reply.self, from: reply)
    }

    func decide(_ worker: WorkerProcess, policy: String, history: [RestartEvent] = []) throws -> DecideReply {
        let spec = DaemonSpec(name: "d", run: .command(["/bin/true"]), policy: policy)
        let exit = ExitInfo(cause: .killed, signal: 9, at: now, uptime: 100, pid: 4242)
        return try send(worker, { .decide(id: $0, daemon: spec, exit: exit, history: history, now: self.now) }, as: DecideReply.self)
    }

    func check(_ worker: WorkerProcess, _ spec: DaemonSpec, pid: Int32? = nil, timeout: Double = 10) throws -> CheckReply {
        try send(worker, { .check(id: $0, daemon: spec, pid: pid) }, as: CheckReply.self, timeout: timeout)
    }

    func load(_ worker: WorkerProcess) throws -> LoadReply {
        try send(worker, { .load(id: $0) }, as: LoadReply.self)
    }

    // MARK: load

    func testLoadOfAGoodAndOfABrokenConfiguration() throws {
        try temp.writeDaemons("""
            daemon "web" { command = {"/bin/sleep", "100"}, health = { check = "tcp_port", port = 8080, interval = 30, timeout = 2 } }
            daemon "inline" { command = {"/bin/true"}, health = function(d) return true end, policy = "nope" }
            """)
        let worker = try startWorker()
        let good = try load(worker)
        XCTAssertTrue(good.ok)
        XCTAssertEqual(good.file, "\(temp.config)/daemons.lua")
        XCTAssertEqual(good.specs.map(\.name), ["web", "inline"])
        XCTAssertEqual(good.checks["web"], CheckSettings(interval: 30, timeout: 2))
        XCTAssertEqual(good.checks["inline"], CheckSettings(interval: nil, timeout: 1))
        XCTAssertEqual(good.problems, [])
        XCTAssertEqual(good.scripts.map(\.kind), [.policy], "the missing policy is a script problem, not a failed load")
        XCTAssertEqual(good.scripts.first?.inForce, .fallback)
        XCTAssertTrue(good.scripts.first?.message.contains("no policy 'nope'") == true, "\(good.scripts)")

        try temp.writeDaemons("daemon \"web\" { comand = {\"/bin/true\"} }\n")
        let broken = try load(worker)
        XCTAssertFalse(broken.ok)
        XCTAssertEqual(broken.specs, [])
        XCTAssertEqual(broken.problems.first?.file, "\(temp.config)/daemons.lua")
        XCTAssertEqual(broken.problems.first?.line, 1)
        XCTAssertTrue(broken.problems.first?.message.contains("unknown key 'comand'") == true, "\(broken.problems)")
    }

    // MARK: decide

    func testDecideWithTheShippedPolicyAndWithBrokenOnes() throws {
        let worker = try startWorker()
        let shipped = try decide(worker, policy: "restart")
        XCTAssertEqual(shipped.decision.version, .current)
        XCTAssertEqual(shipped.decision.action, .restart)
        XCTAssertTrue(shipped.decision.policy.hasSuffix("/policies/restart.lua"), shipped.decision.policy)
        XCTAssertEqual(shipped.scripts, [])

        let path = "\(temp.config)/policies/mine.lua"
        try temp.write("config/policies/mine.lua", "return { decide = function()\n  return { action = 'restart', reason = oops.field }\nend }\n")
        let broken = try decide(worker, policy: "mine")
        XCTAssertEqual(broken.decision.version, .fallback, "no good version ever decided: the built-in policy")
        XCTAssertEqual(broken.decision.action, .restart)
        XCTAssertEqual(broken.decision.policy, path)
        XCTAssertEqual(broken.scripts, [ScriptState(file: path, line: 2, kind: .policy, message: "attempt to index a nil value (global 'oops')", inForce: .fallback)])
        XCTAssertTrue(broken.decision.restartDecision(problem: broken.scripts.first?.description).source.hasPrefix("built-in (fallback: \(path):2:"))

        try temp.write("config/policies/mine.lua", "return { decide = function(d, e)\n  if e.pid == 1 then error('one') end\n  return { action = 'wait', delay = 5, reason = 'v2' }\nend }\n")
        XCTAssertEqual(try decide(worker, policy: "mine").decision, PolicyDecision(action: .wait, delay: 5, reason: "v2", policy: path, version: .current))
        try temp.write("config/policies/mine.lua", "return { decide = function()\n  error('v3 broke')\nend }\n")
        let lastGood = try decide(worker, policy: "mine")
        XCTAssertEqual(lastGood.decision, PolicyDecision(action: .wait, delay: 5, reason: "v2", policy: path, version: .lastGood))
        XCTAssertEqual(lastGood.scripts.first?.inForce, .lastGood)
        XCTAssertEqual(lastGood.scripts.first?.line, 2)
    }

    // MARK: check

    func testChecksAreHealthyUnhealthyOrUnknown() throws {
        let marker = "\(temp.root)/marker"
        try temp.writeDaemons("""
            daemon "a" { command = {"/bin/true"}, health = function(d) return tend.fs.exists("\(marker)"), "marker" end }
            daemon "b" { command = {"/bin/true"}, health = "raises" }
            """)
        let raises = "\(temp.config)/policies/health/raises.lua"
        try temp.write("config/policies/health/raises.lua", "return { check = function()\n  error('probe exploded')\nend }\n")
        let worker = try startWorker()
        let specs = try load(worker).specs
        XCTAssertEqual(try check(worker, specs[0]).health.state, .unhealthy)
        try "x".write(toFile: marker, atomically: true, encoding: .utf8)
        let healthy = try check(worker, specs[0])
        XCTAssertEqual(healthy.health.state, .healthy)
        XCTAssertEqual(healthy.health.reason, "marker")
        let unknown = try check(worker, specs[1])
        XCTAssertEqual(unknown.health.state, .unknown)
        XCTAssertEqual(unknown.health.reason, "\(raises):2: probe exploded")
        XCTAssertEqual(unknown.scripts, [ScriptState(file: raises, line: 2, kind: .health, message: "probe exploded", inForce: .none)])
        // Fixed: the next round passes (a check that raised is never retired).
        try temp.write("config/policies/health/raises.lua", "return { check = function() return true, 'fine now' end }\n")
        XCTAssertEqual(try check(worker, specs[1]).health.state, .healthy)
    }

    // MARK: Every bad script fails safely

    /// The faults of issue 7; each expected reply names its file and line 3.
    static let faults: [(name: String, lua: String, says: [String])] = [
        ("os_exit", "os.exit(0)", ["attempt to call a nil value (field 'exit')"]),
        ("os_execute", "os.execute('sleep 100')", ["attempt to call a nil value (field 'execute')"]),
        ("io_popen", "io.popen('sleep 100')", ["attempt to call a nil value (field 'popen')"]),
        ("endless_loop", "while true do end", ["time budget"]),
        ("deep_recursion", "local function f(n) return f(n + 1) + 1 end f(1)", ["stack overflow", "not enough memory", "time budget"]),
        ("gigabyte_string", "local s = string.rep('x', 2^30)", ["not enough memory"]),
        ("error_table", "error({ code = 1 })", ["(error object is a table value)"]),
        ("error_nil", "error(nil)", ["(error object is a nil value)"]),
        ("endless_coroutine", "coroutine.wrap(function() while true do end end)()", ["time budget"]),
        ("sleep_60", "tend.time.sleep(60)", ["time budget"]),
    ]

    func testEveryFaultFailsSafelyWithFileAndLine() throws {
        var daemons = ""
        for fault in Self.faults {
            try temp.write("config/policies/in-decide-\(fault.name).lua",
                           "-- \(fault.name) in decide\nreturn { decide = function(d, exit, history, now)\n  \(fault.lua)\n  return { action = 'stay_down', reason = 'survived' }\nend }\n")
            try temp.write("config/policies/top-level-\(fault.name).lua",
                           "-- \(fault.name) at the top level\nlocal x = 1\n\(fault.lua)\nreturn { decide = function() return { action = 'stay_down', reason = 'survived' } end }\n")
            try temp.write("config/policies/health/check-\(fault.name).lua",
                           "-- \(fault.name) in a check\nreturn { timeout = 0.3, check = function(d, args)\n  \(fault.lua)\n  return true, 'survived'\nend }\n")
            // Inline: the fault is on line 3 of each three-line declaration.
            daemons += "daemon \"inline-\(fault.name)\" { command = {\"/bin/true\"}, health = { timeout = 0.3,\n check = function(d, args)\n  \(fault.lua)\n return true, 'survived' end } }\n"
            daemons += "daemon \"check-\(fault.name)\" { command = {\"/bin/true\"}, health = \"check-\(fault.name)\" }\n"
        }
        try temp.writeDaemons(daemons)
        let daemonsFile = "\(temp.config)/daemons.lua"
        let worker = try startWorker()
        let loaded = try load(worker)
        XCTAssertTrue(loaded.ok, "\(loaded.problems)")
        let specs = Dictionary(uniqueKeysWithValues: loaded.specs.map { ($0.name, $0) })

        func assertNames(_ state: ScriptState?, _ file: String, line: Int, _ fault: (name: String, lua: String, says: [String]),
                         _ place: String, _ srcLine: UInt = #line) {
            guard let state else { return XCTFail("\(fault.name) \(place): no script state", line: srcLine) }
            XCTAssertEqual(state.file, file, "\(fault.name) \(place)", line: srcLine)
            XCTAssertEqual(state.line, line, "\(fault.name) \(place): \(state)", line: srcLine)
            XCTAssertTrue(fault.says.contains { state.message.contains($0) }, "\(fault.name) \(place): \(state)", line: srcLine)
        }

        var decisionTimes: [Double] = []
        for fault in Self.faults {
            for place in ["in-decide", "top-level"] {
                let started = Clock.monotonic()
                let reply = try decide(worker, policy: "\(place)-\(fault.name)")
                let took = Clock.monotonic() - started
                decisionTimes.append(took)
                // The worker stops the script at 150 ms; on a loaded machine the wall
                // clock may run past the monitor's 250 ms (the monitor then decides itself).
                XCTAssertLessThan(took, 1, "\(fault.name) \(place): the decision took \(took) s")
                XCTAssertEqual(reply.decision.version, .fallback, "\(fault.name) \(place)")
                XCTAssertEqual(reply.decision.action, .restart, "\(fault.name) \(place): the built-in policy decides")
                assertNames(reply.scripts.first, "\(temp.config)/policies/\(place)-\(fault.name).lua", line: 3, fault, place)
            }
            let lineInDaemons = Self.faults.firstIndex { $0.name == fault.name }! * 5 + 3   // 4 lines inline, 1 named
            for (name, file, line) in [("check-\(fault.name)", "\(temp.config)/policies/health/check-\(fault.name).lua", 3),
                                       ("inline-\(fault.name)", daemonsFile, lineInDaemons)] {
                let started = Clock.monotonic()
                let reply = try check(worker, try XCTUnwrap(specs[name]))
                let took = Clock.monotonic() - started
                XCTAssertLessThan(took, 0.3 + 2, "\(name): the check took \(took) s (the monitor's deadline: its timeout + 1 s)")
                XCTAssertEqual(reply.health.state, .unknown, "\(name): \(reply.health.reason)")
                XCTAssertTrue(reply.health.reason.hasPrefix("\(file):\(line): "), "\(name): \(reply.health.reason)")
                assertNames(reply.scripts.first, file, line: line, fault, name)
            }
        }
        let late = decisionTimes.filter { $0 >= 0.25 }
        print("decisions with a faulty policy: slowest \(Int((decisionTimes.max() ?? 0) * 1000)) ms, \(late.count) of \(decisionTimes.count) past 250 ms")
        XCTAssertLessThanOrEqual(late.count, 2, "decisions past the monitor's deadline: \(late)")
        // Still answering, and its memory never went near the gigabyte.
        XCTAssertEqual(try decide(worker, policy: "restart").decision.version, .current)
        let peak = try XCTUnwrap(worker.statusKiB("VmHWM"))
        print("script worker after \(Self.faults.count * 4) faults: VmHWM \(peak / 1024) MiB")
        XCTAssertLessThan(peak, 100 * 1024, "the worker's peak memory")
    }

    // MARK: A C call that blocks

    /// The one way left to block: a C call that waits (here open(2) of a FIFO nobody
    /// writes). The worker does not answer; its location file names the request and the
    /// script's line, for the monitor's message before it kills the worker.
    func testACallThatBlocksInCLeavesTheLocationFileNamingTheLine() throws {
        let fifo = "\(temp.root)/never-written"
        XCTAssertEqual(mkfifo(fifo, 0o600), 0)
        let file = "\(temp.config)/policies/health/blocks.lua"
        try temp.write("config/policies/health/blocks.lua", "return { timeout = 0.3, check = function()\n  local f = io.open(\"\(fifo)\")\n  return true\nend }\n")
        let worker = try startWorker()
        let spec = DaemonSpec(name: "b", run: .command(["/bin/true"]), health: .named("blocks", arguments: [:]))
        nextID += 1
        let id = nextID
        try worker.send(String(decoding: ScriptWorkerCoding.line(ScriptWorkerRequest.check(id: id, daemon: spec, pid: nil)).dropLast(), as: UTF8.self))
        XCTAssertNil(worker.readLine(timeout: 0.3 + 1), "a check blocked in C cannot answer")
        let location = try XCTUnwrap(WorkerLocation.read(worker.locationFile))
        XCTAssertEqual(location.requestID, id)
        XCTAssertEqual(location.location, "\(file):2")
    }

    // MARK: The process

    func testAStrayPrintDoesNotCorruptTheRepliesAndEOFEndsTheWorker() throws {
        try temp.write("config/policies/health/chatty.lua", "return { check = function() print('noise on stdout') return true, 'said hello' end }\n")
        let worker = try startWorker()
        let spec = DaemonSpec(name: "c", run: .command(["/bin/true"]), health: .named("chatty", arguments: [:]))
        XCTAssertEqual(try check(worker, spec).health.reason, "said hello")
        XCTAssertEqual(try worker.ask("not json")?.contains("\"ok\":false"), true)
        XCTAssertEqual(try check(worker, spec).health.state, .healthy, "still answering after a bad line")
        XCTAssertTrue(Wait.until { ((try? FileSystem.readText("\(self.temp.root)/worker-0.err")) ?? "").contains("noise on stdout") })
        worker.closeInput()
        XCTAssertEqual(worker.waitExit(timeout: 10), 0, "EOF on stdin ends the worker")
    }

    /// Figures for the README: a decision through the pipe (encode, write, the worker's
    /// decode + Lua + encode, read, decode), and the worker's idle memory.
    func testDecisionCostThroughThePipeAndIdleMemory() throws {
        try temp.writeDaemons("daemon \"d\" { command = {\"/bin/true\"}, health = \"process_alive\" }\n")
        let worker = try startWorker()
        XCTAssertTrue(try load(worker).ok)
        let history = (1...100).map { RestartEvent(time: now - Double($0 * 30), reason: "killed by SIGKILL", oldPID: 1, newPID: 2, success: true) }
        var small: [Double] = [], full: [Double] = []
        for i in 0..<200 {
            let started = Clock.monotonic()
            let reply = try decide(worker, policy: "restart", history: i % 2 == 0 ? Array(history.prefix(3)) : history)
            XCTAssertEqual(reply.decision.version, .current)
            if i % 2 == 0 { small.append(Clock.monotonic() - started) } else { full.append(Clock.monotonic() - started) }
        }
        func median(_ xs: [Double]) -> Int { Int(xs.sorted()[xs.count / 2] * 1e6) }
        let pss = try XCTUnwrap(worker.pssKiB)
        print("decide through the worker's pipes (round trip): \(median(small)) µs with 3 history events, \(median(full)) µs with 100; worker PSS \(pss / 1024) MiB after load and 200 decisions")
        XCTAssertLessThan(median(full), 50_000)
    }
}
