import XCTest
@testable import TendCore
@testable import TendLua

/// `tend.daemons` pushes status records field by field; each table must hold the keys
/// of the record's JSON (`tend status --format json`, docs/json.md), times as epoch seconds.
final class StatusTablesTests: LuaTestCase {
    func assertPushed(_ expected: JSONValue, push: (LuaStack) -> Void, file: StaticString = #filePath, line: UInt = #line) throws {
        let host = try makeHost()
        push(host.vm.stack)
        defer { host.vm.stack.pop() }
        let table = try host.vm.stack.json(at: -1)
        XCTAssertTrue(Self.same(table, expected), "\(table)\n!=\n\(expected)", file: file, line: line)
    }

    /// Equal, numbers compared by value (JSON has no integer/float distinction).
    static func same(_ a: JSONValue, _ b: JSONValue) -> Bool {
        switch (a, b) {
        case (.array(let x), .array(let y)): return x.count == y.count && zip(x, y).allSatisfy { same($0, $1) }
        case (.object(let x), .object(let y)):
            return Set(x.keys) == Set(y.keys) && x.allSatisfy { same($0.value, y[$0.key]!) }
        default:
            if let x = a.doubleValue, let y = b.doubleValue { return x == y }
            return a == b
        }
    }

    let full = DaemonStatus(daemon: "web", state: .waiting, pid: 12, uptimeSeconds: 3.5, restarts: 2, lastExit: "exited with code 1",
                            lastExitAt: 1_800_000_000.25, wanted: .up, reason: "cooldown", nextAttemptAt: 1_800_000_060,
                            health: HealthResult(.unknown, reason: "port closed", at: 1_800_000_001))
    let bare = DaemonStatus(daemon: "idle", state: .stopped, pid: nil, uptimeSeconds: nil, restarts: 0, lastExit: nil,
                            lastExitAt: nil, wanted: .down, reason: nil, nextAttemptAt: nil, health: nil)

    let fullJSON: JSONValue = .object([
        "daemon": .string("web"), "state": .string("WAITING"), "pid": .int(12), "uptime_seconds": .double(3.5), "restarts": .int(2),
        "last_exit": .string("exited with code 1"), "last_exit_at": .double(1_800_000_000.25), "wanted": .string("up"),
        "reason": .string("cooldown"), "next_attempt_at": .int(1_800_000_060),
        "health": .object(["state": .string("unknown"), "reason": .string("port closed"), "at": .int(1_800_000_001)]),
    ])
    let bareJSON: JSONValue = .object(["daemon": .string("idle"), "state": .string("STOPPED"), "restarts": .int(0), "wanted": .string("down")])

    func testDaemonStatus() throws {
        try assertPushed(fullJSON) { $0.push(self.full) }
        try assertPushed(bareJSON) { $0.push(self.bare) }
    }

    func testStatusReport() throws {
        let report = StatusReport(monitor: .init(running: true, pid: 99), daemons: [full, bare])
        try assertPushed(.object(["monitor": .object(["running": .bool(true), "pid": .int(99)]), "daemons": .array([fullJSON, bareJSON])])) {
            $0.push(report)
        }
        let empty = StatusReport(monitor: .init(running: false, pid: nil), daemons: [])
        try assertPushed(.object(["monitor": .object(["running": .bool(false)]), "daemons": .array([])])) { $0.push(empty) }
    }

    func testHealthSummary() throws {
        let summary = HealthSummary(healthy: 1, total: 2, percent: 50, daemons: [
            .init(daemon: "web", healthy: true, state: .running, reason: "running", check: .healthy),
            .init(daemon: "flaky", healthy: false, state: .running, reason: "health unknown", check: .unknown),
            .init(daemon: "idle", healthy: false, state: .stopped, reason: "stopped", check: nil),
        ])
        let entry = { (daemon: String, healthy: Bool, state: String, reason: String, check: String?) -> JSONValue in
            .members(["daemon": daemon, "healthy": healthy, "state": state, "reason": reason, "check": check])
        }
        try assertPushed(.object(["healthy": .int(1), "total": .int(2), "percent": .int(50), "daemons": .array([
            entry("web", true, "RUNNING", "running", "healthy"),
            entry("flaky", false, "RUNNING", "health unknown", "unknown"),
            entry("idle", false, "STOPPED", "stopped", nil),
        ])])) { $0.push(summary) }
    }
}
