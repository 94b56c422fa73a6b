import XCTest
import TendTestSupport
import TendCore
import TendSystem
@testable import TendLua
#if canImport(Glibc)
import Glibc
#endif

final class HealthCheckTests: LuaTestCase {
    var sleeper: ProcessIdentity?
    var listener: Int32 = -1

    override func tearDown() {
        if let sleeper {
            Signals.send(.kill, to: sleeper)
            var status: Int32 = 0
            _ = waitpid(sleeper.pid, &status, 0)
        }
        if listener >= 0 { close(listener) }
        super.tearDown()
    }

    func spec(_ health: DaemonSpec.Health) -> DaemonSpec {
        DaemonSpec(name: "probe", run: .command(["/bin/sleep", "30"]), health: health)
    }

    func checks() throws -> LuaHealthChecks {
        LuaHealthChecks(host: try makeHost(), report: reporter)
    }

    func startSleeper() throws -> Int32 {
        let pid = try Spawner.spawn(["/bin/sleep", "30"])
        sleeper = try XCTUnwrap(ProcessTable.identity(of: pid))
        // posix_spawn returns while the child is still in exec (no memory mapped yet, so
        // RSS reads 0): wait until it runs /bin/sleep before measuring it.
        XCTAssertTrue(Wait.until { ProcessTable.commandLine(pid).first == "/bin/sleep" && (ProcessTable.snapshot(pid)?.residentBytes ?? 0) > 0 })
        return pid
    }

    func testNoHealthConfiguredGivesNil() throws {
        XCTAssertNil(try checks().check(DaemonSpec(name: "x", run: .plugin("x")), pid: 1))
    }

    func testProcessAliveAgainstARealProcess() throws {
        let pid = try startSleeper()
        let c = try checks()
        let alive = try XCTUnwrap(c.check(spec(.named("process_alive", arguments: [:])), pid: pid))
        XCTAssertTrue(alive.ok, alive.reason)
        XCTAssertFalse(alive.checkError)
        XCTAssertEqual(alive.reason, "process \(pid) (sleep) is alive")

        Signals.send(.kill, to: sleeper!)
        var status: Int32 = 0
        XCTAssertEqual(waitpid(pid, &status, 0), pid)
        sleeper = nil
        let dead = try XCTUnwrap(c.check(spec(.named("process_alive", arguments: [:])), pid: pid))
        XCTAssertFalse(dead.ok)
        XCTAssertFalse(dead.checkError, "a dead daemon is a failed check, not a broken one")
        XCTAssertEqual(dead.reason, "process \(pid) is not running")
        XCTAssertFalse(try XCTUnwrap(c.check(spec(.named("process_alive", arguments: [:])), pid: nil)).ok)
    }

    func testTcpPortAgainstAListeningSocket() throws {
        let port = try listen()
        let c = try checks()
        let up = try XCTUnwrap(c.check(spec(.named("tcp_port", arguments: ["port": .int(Int64(port))])), pid: nil))
        XCTAssertTrue(up.ok, up.reason)
        XCTAssertEqual(up.reason, "127.0.0.1:\(port) accepts connections")
        close(listener)
        listener = -1
        let down = try XCTUnwrap(c.check(spec(.named("tcp_port", arguments: ["port": .int(Int64(port))])), pid: nil))
        XCTAssertFalse(down.ok)
        XCTAssertFalse(down.checkError)
        XCTAssertTrue(down.reason.contains("refused"), down.reason)
    }

    func testMisconfiguredCheckIsACheckErrorWithFileLine() throws {
        let r = try XCTUnwrap(try checks().check(spec(.named("tcp_port", arguments: [:])), pid: nil))
        XCTAssertFalse(r.ok)
        XCTAssertTrue(r.checkError)
        XCTAssertTrue(r.reason.hasPrefix("\(Self.repoRoot)/policies/health/tcp_port.lua:8: tcp_port needs an integer port"), r.reason)
    }

    func testRaisingCheckIsACheckError() throws {
        let file = try writeConfig("policies/health/raises.lua", "return { check = function(d, args)\n  error('probe exploded')\nend }\n")
        let r = try XCTUnwrap(try checks().check(spec(.named("raises", arguments: [:])), pid: nil))
        XCTAssertEqual(r.ok, false)
        XCTAssertEqual(r.checkError, true)
        XCTAssertEqual(r.reason, "\(file):2: probe exploded")
    }

    func testOverrunningCheckIsStoppedAndIsACheckError() throws {
        let file = try writeConfig("policies/health/spins.lua", "return { timeout = 0.1, check = function()\n  while true do end\nend }\n")
        let started = Clock.monotonic()
        let r = try XCTUnwrap(try checks().check(spec(.named("spins", arguments: [:])), pid: nil))
        XCTAssertLessThan(Clock.monotonic() - started, 3)
        XCTAssertTrue(r.checkError)
        XCTAssertTrue(r.reason.hasPrefix("\(file):2: time budget"), r.reason)
    }

    func testWrongReturnIsACheckError() throws {
        try writeConfig("policies/health/wrong.lua", "return { check = function() return 'yes' end }\n")
        let r = try XCTUnwrap(try checks().check(spec(.named("wrong", arguments: [:])), pid: nil))
        XCTAssertTrue(r.checkError)
        XCTAssertTrue(r.reason.contains("check returned \"yes\""), r.reason)
    }

    func testBrokenEditKeepsTheLastGoodCheck() throws {
        try writeConfig("policies/health/flip.lua", "return { check = function() return true, 'v1' end }\n")
        let c = try checks()
        XCTAssertEqual(c.check(spec(.named("flip", arguments: [:])), pid: nil)?.reason, "v1")
        let file = try writeConfig("policies/health/flip.lua", "return { check = function() return true, 'v2' end\n")
        XCTAssertEqual(c.check(spec(.named("flip", arguments: [:])), pid: nil)?.reason, "v1")
        XCTAssertEqual(reported.count, 1)
        XCTAssertTrue(reported[0].hasPrefix("\(file):2: "), reported[0])
        try writeConfig("policies/health/flip.lua", "return { check = function() error('v3 broken') end }\n")
        XCTAssertEqual(c.check(spec(.named("flip", arguments: [:])), pid: nil)?.reason, "v1", "a version failing at run time gives way to the last good one")
        try writeConfig("policies/health/flip.lua", "return { check = function() return false, 'v4' end, interval = 42 }\n")
        XCTAssertEqual(c.check(spec(.named("flip", arguments: [:])), pid: nil)?.reason, "v4")
        XCTAssertEqual(c.interval(for: spec(.named("flip", arguments: [:]))), 42)
        XCTAssertEqual(c.interval(for: spec(.named("flip", arguments: ["interval": .int(7)]))), 7)
    }

    func testUnknownCheckIsACheckError() throws {
        let r = try XCTUnwrap(try checks().check(spec(.named("nope", arguments: [:])), pid: nil))
        XCTAssertTrue(r.checkError)
        XCTAssertTrue(r.reason.hasPrefix("no health check 'nope'"), r.reason)
    }

    func testFileFreshRssBelowAndCommandOk() throws {
        let c = try checks()
        let fresh = try writeConfig("heartbeat", "x")
        XCTAssertEqual(c.check(spec(.named("file_fresh", arguments: ["path": .string(fresh), "max_age": .int(60)])), pid: nil)?.ok, true)
        XCTAssertEqual(c.check(spec(.named("file_fresh", arguments: ["path": .string("\(root)/missing"), "max_age": .int(60)])), pid: nil)?.ok, false)

        let pid = try startSleeper()
        XCTAssertEqual(c.check(spec(.named("rss_below", arguments: ["mb": .int(500)])), pid: pid)?.ok, true)
        XCTAssertEqual(c.check(spec(.named("rss_below", arguments: ["mb": .double(0.001)])), pid: pid)?.ok, false)

        XCTAssertEqual(c.check(spec(.named("command_ok", arguments: ["command": .array([.string("/bin/true")])])), pid: nil)?.ok, true)
        let failed = try XCTUnwrap(c.check(spec(.named("command_ok", arguments: ["command": .array([.string("/bin/sh"), .string("-c"), .string("echo nope; exit 3")])])), pid: nil))
        XCTAssertFalse(failed.ok)
        XCTAssertEqual(failed.reason, "/bin/sh exited with code 3: nope")
        let started = Clock.monotonic()
        let slow = try XCTUnwrap(c.check(spec(.named("command_ok", arguments: ["command": .array([.string("/bin/sleep"), .string("30")]), "timeout": .double(0.3)])), pid: nil))
        XCTAssertLessThan(Clock.monotonic() - started, 5)
        XCTAssertFalse(slow.ok)
        XCTAssertFalse(slow.checkError, slow.reason)
        XCTAssertTrue(slow.reason.contains("did not finish"), slow.reason)
    }

    /// A listening TCP socket on 127.0.0.1 and an ephemeral port.
    func listen() throws -> UInt16 {
        listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        XCTAssertGreaterThanOrEqual(listener, 0)
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = 0
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { p -> Bool in
                Glibc.bind(listener, p, len) == 0 && Glibc.listen(listener, 8) == 0 && getsockname(listener, p, &len) == 0
            }
        }
        XCTAssertTrue(bound)
        return UInt16(bigEndian: addr.sin_port)
    }
}
