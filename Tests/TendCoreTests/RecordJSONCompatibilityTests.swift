import XCTest
import TendSystem
import TendTestSupport
@testable import TendCore

/// Homes hold files that the Codable forms (JSONEncoder) wrote, and a monitor may talk to
/// a script worker of that build: `Tests/Fixtures/codable` keeps real ones, copied from a
/// test home and from the monitor–worker pipes of the last Codable build. Each must read
/// into the values it describes and write back to the same JSON, key for key.
final class RecordJSONCompatibilityTests: XCTestCase {
    func fixture(_ path: String) throws -> String {
        try XCTUnwrap(try FileSystem.readTextIfPresent("\(Checkout.root)/Tests/Fixtures/codable/\(path)"), path)
    }

    func lines(_ path: String) throws -> [String] {
        try fixture(path).split(separator: "\n").map(String.init)
    }

    /// Decodes `text`, and checks that writing the value again gives the same JSON.
    func reread<T: JSONCodable>(_ type: T.Type, _ text: String, file: StaticString = #filePath, line: UInt = #line) throws -> T {
        let value = try T.decoded(from: text)
        XCTAssertEqual(try JSONValue.parse(RecordCoding.encode(value)), try JSONValue.parse(text), file: file, line: line)
        XCTAssertEqual(try JSONValue.parse(String(decoding: ScriptWorkerCoding.line(value), as: UTF8.self)), try JSONValue.parse(text),
                       file: file, line: line)
        return value
    }

    func testStateRecords() throws {
        var db = DaemonRecord(name: "db", wanted: .up)
        db.command = ["/bin/sleep", "100001"]
        db.lastExit = ExitInfo(cause: .killed, signal: 9, at: 1796120972.562011, uptime: 7.450655221939087, pid: 8204)
        db.lastHealth = HealthResult(.healthy, reason: "process 8298 (sleep) is alive", at: 1796120977.3437347)
        db.process = ProcessIdentity(pid: 8298, startTime: 738842)
        db.processGroup = 8298
        db.restartCount = 1
        db.startedAt = 1796120972.5784748
        XCTAssertEqual(try reread(DaemonRecord.self, fixture("state/db.json")), db)

        let leaky = try reread(DaemonRecord.self, fixture("state/leaky.json"))
        XCTAssertEqual(leaky.lastExit?.leftovers, [ProcessIdentity(pid: 25201, startTime: 778377), ProcessIdentity(pid: 25242, startTime: 778428)])
        XCTAssertEqual(leaky.nextAttemptAt, 1796124968.4249527)
        XCTAssertEqual(leaky.waitReason, "rate limit: 1 restarts in the last hour (max 1)")
        XCTAssertEqual(try reread(DaemonRecord.self, fixture("state/slowstop.json")).stopping, true)
        XCTAssertEqual(try reread(DaemonRecord.self, fixture("state/gone.json")).heldDownReason,
                       "cannot start: command not found: /nonexistent/prog")
        for name in ["crash", "forker", "web"] { _ = try reread(DaemonRecord.self, fixture("state/\(name).json")) }
    }

    func testRestartHistories() throws {
        let crash = try reread([RestartEvent].self, fixture("restarts/crash.json"))
        XCTAssertEqual(crash, [
            RestartEvent(time: Clock.parseISO8601("2026-12-01T10:29:28.548Z")!, reason: "exited with code 3", oldPID: 8206, newPID: 8233, success: true),
            RestartEvent(time: Clock.parseISO8601("2026-12-01T10:29:28.858Z")!, reason: "exited with code 3", oldPID: 8233, newPID: 8239, success: true),
        ])
        XCTAssertEqual(try reread([RestartEvent].self, fixture("restarts/web.json")).map(\.manual), [true])
    }

    func testHelperProcessRecords() throws {
        XCTAssertEqual(try reread(MonitorProcess.Record.self, fixture("run/monitor.json")),
                       ProcessRecord(pid: 8181, startTime: 737894, startedAt: 1796120962.94))
        XCTAssertEqual(try reread(ProcessRecord.self, fixture("run/logd.json")),
                       ProcessRecord(pid: 8184, startTime: 737897, startedAt: 1796120962.97))
    }

    func testWorkerRequests() throws {
        let requests = try lines("worker/requests.jsonl").map { try reread(ScriptWorkerRequest.self, $0) }
        guard case .decide(7, let daemon, let exit, let history, let now) = requests[0] else { return XCTFail("\(requests[0])") }
        XCTAssertEqual(daemon, DaemonSpec(name: "crash", run: .command(["/bin/sh", "-c", "sleep 0.3; exit 3"]),
                                          restart: RestartLimits(maxPerHour: 2, cooldown: 0.2), declaredAt: "/tmp/nf-ex/cfg/daemons.lua:11"))
        XCTAssertEqual(exit, ExitInfo(cause: .exited, code: 3, at: 1796120968.8544319, uptime: 0.3061025142669678, pid: 8233))
        XCTAssertEqual(history.map(\.oldPID), [8206])
        XCTAssertEqual(now, 1796120968.855277)
        guard case .check(3, let checked, 8204) = requests[1] else { return XCTFail("\(requests[1])") }
        XCTAssertEqual(checked.health, .named("process_alive", arguments: ["interval": .int(2)]))
        XCTAssertEqual(requests[2], .load(id: 1))
        guard case .decide(3, _, let leaky, _, _) = requests[3] else { return XCTFail("\(requests[3])") }
        XCTAssertEqual(leaky.leftovers?.count, 2)
    }

    func testWorkerReplies() throws {
        let replies = try lines("worker/replies.jsonl")
        let load = try reread(LoadReply.self, replies[0])
        XCTAssertEqual(load.specs.map(\.name), ["db", "web", "forker", "crash"])
        XCTAssertEqual(load.specs[1], DaemonSpec(name: "web", run: .command(["/bin/sleep", "100002"]), environment: ["A": "x/y"],
                                                 workingDirectory: "/tmp", stopTimeout: 2.5, restart: RestartLimits(maxPerHour: 5, cooldown: 0.5),
                                                 health: .inline(key: "web@/tmp/nf-ex/cfg/daemons.lua:2", arguments: [:]),
                                                 declaredAt: "/tmp/nf-ex/cfg/daemons.lua:2", after: ["db"], readyTimeout: 30,
                                                 envFile: "/tmp/nf-ex/cfg/web.env",
                                                 limits: ResourceLimits(nofile: 4096, nproc: 256, core: 0, memoryMB: 1024)))
        XCTAssertEqual(load.specs[2].forking, true)
        XCTAssertEqual(load.specs[2].pidFile, "/tmp/nf-ex/fork.pid")
        XCTAssertEqual(load.checks, ["web": CheckSettings(interval: nil, timeout: 1), "db": CheckSettings(interval: 2, timeout: 1)])
        let plugin = try reread(LoadReply.self, replies[1])
        XCTAssertEqual(plugin.specs[1].run, .plugin("commit-daemon"))
        XCTAssertEqual(plugin.scripts.map(\.inForce), [.none])
        let broken = try reread(LoadReply.self, replies[2])
        XCTAssertEqual(broken.ok, false)
        XCTAssertEqual(broken.problems.first?.line, 1)

        XCTAssertEqual(try reread(DecideReply.self, replies[3]).decision,
                       PolicyDecision(action: .wait, delay: 3599.3612928390503, reason: "rate limit: 2 restarts in the last hour (max 2)",
                                      policy: "/work/wt-nofoundation/policies/restart.lua", version: .current))
        let fallback = try reread(DecideReply.self, replies[4])
        XCTAssertEqual(fallback.decision.version, .fallback)
        XCTAssertEqual(fallback.scripts, [ScriptState(file: "/tmp/nf-ex/w/cfg/policies/broken.lua", line: 1, kind: .policy, message: "boom",
                                                      inForce: .fallback)])
        XCTAssertEqual(try reread(CheckReply.self, replies[5]).health,
                       HealthResult(.healthy, reason: "process 8204 (sleep) is alive", at: 1796120965.4027088))
        XCTAssertEqual(try reread(CheckReply.self, replies[6]).health.state, .unknown)
        let failed = try reread(FailedReply.self, replies[7])
        XCTAssertEqual([failed.id, failed.ok ? 1 : 0], [4, 0])
    }

    /// What this build writes, it reads back equal (times with their fractions included).
    func testRoundTrips() throws {
        var record = DaemonRecord(name: "x", wanted: .up)
        record.process = ProcessIdentity(pid: 5, startTime: UInt64(Int64.max))
        record.startedAt = 1796120972.5784748
        record.lastExit = ExitInfo(cause: .healthCheckFailed, at: 0.1 + 0.2, detail: "port\nclosed", leftovers: [ProcessIdentity(pid: 6, startTime: 1)])
        record.lastHealth = HealthResult(.unhealthy, reason: "\"quoted\" \\ é", at: 1e-7)
        record.nextAttemptAt = 2e15 + 0.5
        record.stopping = false
        XCTAssertEqual(try RecordCoding.decode(DaemonRecord.self, from: RecordCoding.encode(record)), record)
        let spec = DaemonSpec(name: "y", run: .plugin("p"), environment: ["K": "v"], stopTimeout: 0.25,
                              health: .named("tcp_port", arguments: ["port": .int(80), "deep": .object(["a": .array([.null, .double(1.5)])])]),
                              after: ["x"], readyTimeout: 3, envFile: "/e", limits: ResourceLimits(core: 0))
        var forking = spec
        (forking.forking, forking.pidFile) = (true, "/run/y.pid")
        for s in [spec, forking] { XCTAssertEqual(try RecordCoding.decode(DaemonSpec.self, from: RecordCoding.encode(s)), s) }
        XCTAssertTrue(RecordCoding.encode(record).hasSuffix("}\n"))
    }

    func testErrorsNameTheKey() {
        func problem<T: JSONCodable>(_ type: T.Type, _ text: String) -> String {
            do { _ = try T.decoded(from: text); return "no error" } catch { return "\(error)" }
        }
        XCTAssertEqual(problem(DaemonRecord.self, #"{"name": "x", "wanted": "up"}"#), "key 'restartCount': missing")
        XCTAssertEqual(problem(DaemonRecord.self, #"{"name": "x", "wanted": "up", "restartCount": 0, "lastExit": {"cause": "boom", "at": 1}}"#),
                       #"key 'lastExit.cause': expected one of exited, killed, exitedUnknown, stalePID, noPIDFile, healthCheckFailed, unknown, found "boom""#)
        XCTAssertEqual(problem(DaemonRecord.self, #"{"name": "x", "wanted": "up", "restartCount": 1.5}"#),
                       "key 'restartCount': expected a whole number from \(Int.min) to \(Int.max), found 1.5")
        XCTAssertEqual(problem([RestartEvent].self, #"[{"timestamp": "2026-12-01T10:29:28.548Z", "reason": "r", "success": true}, {"timestamp": "soon"}]"#),
                       #"key '[1].timestamp': expected an ISO-8601 time, found "soon""#)
        XCTAssertEqual(problem(ScriptWorkerRequest.self, #"{"id": 2, "op": "check", "daemon": {"name": "d", "run": {"program": 1}}}"#),
                       #"key 'daemon.run': expected {"command": …} or {"plugin": …}, found {"program":1}"#)
        XCTAssertEqual(problem(ScriptWorkerRequest.self, #"{"id": 4, "op": "reboot"}"#), "key 'op': unknown op 'reboot' (load, decide, check)")
        XCTAssertEqual(problem(ProcessRecord.self, "[]"), "expected an object, found []")
        XCTAssertEqual(problem(ProcessRecord.self, "{"), "1:2: expected a key in double quotes")
    }
}
