import XCTest
import TendSystem
import TendTestSupport
import TendCore

/// `tend logs` like journalctl and pm2: several logs interleaved, --all, --since, zones,
/// health.log and policy-hits.log, following several files.
final class LogsViewTests: CLITestCase {
    /// Writes records with chosen times straight into a log file.
    private func writeLog(_ path: String, _ records: [(ts: Double, daemon: String, msg: String)], level: LogLevel = .info) throws {
        let lines = records.map { LogRecord(ts: $0.ts, level: level, daemon: $0.daemon, msg: $0.msg).jsonLine() }
        try FileSystem.makeDirectory(FileSystem.parentDirectory(of: path), mode: 0o700)
        try FileSystem.writeAtomically(path, text: lines.joined(separator: "\n") + "\n")
    }

    private func daemonLog(_ name: String) -> String { "\(temp.home)/logs/daemons/\(name).log" }

    private func shown(_ args: String..., env extra: [String: String] = ["TZ": "UTC"]) throws -> [String] {
        var env = temp.environment
        env.merge(extra) { _, new in new }
        let result = try CommandRunner.tend(["logs"] + args, env: env)
        XCTAssertEqual(result.code, 0, result.description)
        return result.stdout.split(separator: "\n").map(String.init)
    }

    func testSeveralDaemonsAreInterleavedByTimeAndEachLineNamesItsDaemon() throws {
        let t = Clock.now() - 60
        try writeLog(daemonLog("web"), [(t, "web", "w1"), (t + 2, "web", "w2"), (t + 4, "web", "w3")])
        try writeLog(daemonLog("db"), [(t + 1, "db", "d1"), (t + 3, "db", "d2")])
        let lines = try shown("web", "db")
        XCTAssertEqual(lines.map { $0.split(separator: " ").dropFirst().first.map(String.init) }, ["web", "db", "web", "db", "web"])
        XCTAssertEqual(lines.map { String($0.split(separator: " ").last!) }, ["w1", "d1", "w2", "d2", "w3"])
        XCTAssertTrue(lines[1].contains(" db  INFO  d1"), "names padded to line up: \(lines[1])")

        try temp.writeDaemons(daemon("web", "sleep 100") + daemon("db", "sleep 100") + daemon("quiet", "sleep 100"))
        XCTAssertEqual(try shown("--all"), lines, "--all: every configured daemon (one without a log has nothing to add)")
        XCTAssertEqual(try shown("--all", "-n", "2").map { String($0.split(separator: " ").last!) }, ["d2", "w3"])

        let json = try shown("web", "db", "--json")
        XCTAssertEqual(json.map { try? JSONValue.parse($0)["msg"]?.stringValue }, ["w1", "d1", "w2", "d2", "w3"])
    }

    func testSinceTakesADurationOrATime() throws {
        let now = Clock.now()
        try writeLog(daemonLog("web"), [(now - 7200, "web", "two-hours-ago"), (now - 1800, "web", "half-an-hour-ago"),
                                       (now - 60, "web", "a-minute-ago")])
        func messages(_ args: String...) throws -> [String] {
            try CommandRunner.tend(["logs", "web"] + args, env: temp.environment).stdout
                .split(separator: "\n").map { String($0.split(separator: " ").last!) }
        }
        XCTAssertEqual(try messages("--since", "10m"), ["a-minute-ago"])
        XCTAssertEqual(try messages("--since", "1h"), ["half-an-hour-ago", "a-minute-ago"])
        XCTAssertEqual(try messages("--since", "3h"), ["two-hours-ago", "half-an-hour-ago", "a-minute-ago"])
        XCTAssertEqual(try messages("--since", Clock.iso8601(now - 3600)), ["half-an-hour-ago", "a-minute-ago"])
        XCTAssertEqual(try messages("--since", "3h", "-n", "1"), ["a-minute-ago"])
        let bad = try tend("logs", "web", "--since", "yesterday", expect: 64)
        XCTAssertTrue(bad.stderr.contains("--since 'yesterday': expected a duration"), bad.description)
    }

    func testTimesShowTheirZone() throws {
        let ts = 1_764_062_306.123   // 2025-11-25T09:18:26.123Z
        try writeLog(daemonLog("web"), [(ts, "web", "hello")])
        XCTAssertEqual(try shown("web").first, "2025-11-25T09:18:26.123Z web INFO  hello")
        // A POSIX zone two hours east of UTC (no tz database needed).
        XCTAssertEqual(try shown("web", env: ["TZ": "XST-2"]).first, "2025-11-25T11:18:26.123+02:00 web INFO  hello")
    }

    func testHealthAndPolicyLogsRenderLikeADaemonsLog() throws {
        let t = Clock.now() - 30
        try writeLog("\(temp.home)/logs/health.log", [(t, "web", "probe failed"), (t + 2, "db", "recovered")], level: .warning)
        try writeLog("\(temp.home)/logs/policy-hits.log", [(t + 1, "web", "policy restart: restart")])
        XCTAssertEqual(try shown("--health"), ["\(Clock.iso8601(t)) web WARN  probe failed", "\(Clock.iso8601(t + 2)) db  WARN  recovered"])
        XCTAssertEqual(try shown("--policy", "-n", "1").map { String($0.split(separator: " ", maxSplits: 2).last!) },
                       ["INFO  policy restart: restart"])
        XCTAssertEqual(try shown("--health", "--policy").count, 3)
        XCTAssertEqual(try shown("--health", "--level", "error"), [])
        XCTAssertEqual(try shown("--health", "--json").count, 2)
        let mixed = try tend("logs", "web", "--health", expect: 64)
        XCTAssertTrue(mixed.stderr.contains("name no daemons"), mixed.description)
        try tend("logs", expect: 64)
    }

    func testFollowingSeveralDaemonsPrintsEachNewLineOnce() throws {
        try writeLog(daemonLog("web"), [(Clock.now() - 5, "web", "before")])
        try temp.writeDaemons(daemon("web", "sleep 100") + daemon("db", "sleep 100"))   // db has no log yet
        var env = temp.environment
        env["TZ"] = "UTC"
        let out = "\(temp.root)/follow.out"
        let follower = try Spawner.spawn(["/bin/sh", "-c", "exec \"$0\" logs web db --follow -n 1 > \"$1\"", CommandRunner.tendBinary, out],
                                         environment: env)
        defer { kill(follower, SIGKILL); var status: Int32 = 0; _ = waitpid(follower, &status, 0) }
        let read = { (try? FileSystem.readText(out)) ?? "" }
        XCTAssertTrue(Wait.until { read().contains("web INFO  before") }, read())
        for i in 0..<3 {
            try tend("log", "db", "db \(i)")
            try tend("log", "web", "web \(i)")
        }
        XCTAssertTrue(Wait.until(timeout: 30) { read().contains("web INFO  web 2") }, read())
        let lines = read().split(separator: "\n").map { String($0.split(separator: " ", maxSplits: 1).last!) }
        XCTAssertEqual(lines, ["web INFO  before", "db  INFO  db 0", "web INFO  web 0", "db  INFO  db 1", "web INFO  web 1",
                               "db  INFO  db 2", "web INFO  web 2"])
    }
}
