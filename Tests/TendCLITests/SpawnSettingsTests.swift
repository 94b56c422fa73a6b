import XCTest
import TendSystem
import TendTestSupport
#if canImport(Glibc)
import Glibc
#endif

/// `env_file` and `limits`, as the started process has them (/proc/PID/environ, /limits).
final class SpawnSettingsTests: CLITestCase {
    func environ(_ pid: Int32) throws -> [String] {
        try FileSystem.readBytes("/proc/\(pid)/environ").split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
    }

    /// The soft limit of one row of /proc/PID/limits ("Max open files   123   123   files").
    func softLimit(_ pid: Int32, _ row: String) throws -> String? {
        let text = try FileSystem.readText("/proc/\(pid)/limits")
        guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix(row) }) else { return nil }
        return line.dropFirst(row.count).split(separator: " ").first.map(String.init)
    }

    func testEnvFileAndLimitsReachTheProcess() throws {
        try temp.write("config/web.env", """
            # read at each start
            FROM_FILE=one two
            QUOTED="a \\"b\\""
            SHARED=from-file
            """)
        try temp.writeDaemons(daemon("web", "exec sleep 1000", extra: """
            env_file = "web.env", env = { SHARED = "from-env" },
            limits = { nofile = 123, nproc = 456, core = 0, memory_mb = 512 }
            """))
        try tend("start", "web")
        let pid = try XCTUnwrap(try waitForPID("web"))
        let env = try environ(pid)
        XCTAssertTrue(env.contains("FROM_FILE=one two"), "\(env)")
        XCTAssertTrue(env.contains("QUOTED=a \"b\""), "\(env)")
        XCTAssertTrue(env.contains("SHARED=from-env"), "env wins over env_file: \(env)")
        XCTAssertTrue(env.contains("TEND_DAEMON=web"))
        XCTAssertEqual(try softLimit(pid, "Max open files"), "123")
        XCTAssertEqual(try softLimit(pid, "Max processes"), "456")
        XCTAssertEqual(try softLimit(pid, "Max core file size"), "0")
        XCTAssertEqual(try softLimit(pid, "Max address space"), String(512 << 20))
    }

    func testAnEnvFileThatVanishesHoldsTheDaemonWithItsName() throws {
        try temp.write("config/web.env", "A=1\n")
        try temp.writeDaemons(daemon("web", "exec sleep 1000", extra: #"env_file = "web.env""#))
        try tend("start", "web")
        let pid = try XCTUnwrap(try waitForPID("web"))
        try FileSystem.remove("\(temp.config)/web.env")
        let r = try tend("restart", "web", expect: 1)
        XCTAssertTrue(r.stderr.contains("web.env"), r.description)
        XCTAssertNotEqual(ProcessTable.identity(of: pid).map { ProcessTable.check($0) }, .alive)
        let s = try status("web")
        XCTAssertEqual(s["state"] as? String, "HELD")
        XCTAssertTrue((s["reason"] as? String ?? "").contains("web.env"), "\(s)")
    }

    func testALimitTheSystemRefusesIsAClearStartError() throws {
        guard getuid() != 0 else { throw XCTSkip("root may raise any limit") }
        try temp.writeDaemons(daemon("web", "exec sleep 1000", extra: "limits = { nofile = 100000000 }"))
        let r = try tend("start", "web", expect: 1)
        XCTAssertTrue(r.stderr.contains("cannot start"), r.description)
    }
}
