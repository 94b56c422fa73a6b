import XCTest
@testable import TendCore
@testable import TendLua

/// `tend.daemons` pushes status records field by field; each table must hold what the
/// record's JSON (`tend status --format json`) holds, key for key.
final class StatusTablesTests: LuaTestCase {
    func assertSameAsJSON<T: Encodable>(_ value: T, push: (LuaStack) -> Void, file: StaticString = #filePath, line: UInt = #line) throws {
        let host = try makeHost()
        push(host.vm.stack)
        defer { host.vm.stack.pop() }
        let table = try host.vm.stack.json(at: -1)
        let json = try JSONValue.parse(try RecordCoding.encode(value))
        XCTAssertTrue(Self.same(table, json), "\(table)\n!=\n\(json)", file: file, line: line)
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

    func testDaemonStatus() throws {
        try assertSameAsJSON(full) { $0.push(self.full) }
        try assertSameAsJSON(bare) { $0.push(self.bare) }
    }

    func testStatusReport() throws {
        let report = StatusReport(monitor: .init(running: true, pid: 99), daemons: [full, bare])
        try assertSameAsJSON(report) { $0.push(report) }
        let empty = StatusReport(monitor: .init(running: false, pid: nil), daemons: [])
        try assertSameAsJSON(empty) { $0.push(empty) }
    }

    func testHealthSummary() throws {
        let summary = HealthSummary(healthy: 1, total: 2, percent: 50, daemons: [
            .init(daemon: "web", healthy: true, state: .running, reason: "running", check: .healthy),
            .init(daemon: "flaky", healthy: false, state: .running, reason: "health unknown", check: .unknown),
            .init(daemon: "idle", healthy: false, state: .stopped, reason: "stopped", check: nil),
        ])
        try assertSameAsJSON(summary) { $0.push(summary) }
    }
}
