import XCTest
import TendSystem
import TendTestSupport
#if canImport(Glibc)
import Glibc
#endif

/// Base for end-to-end tests: a temporary home per test, the real `tend` binary, real
/// processes; every process recorded in the home is killed by PID in tearDown.
class CLITestCase: XCTestCase {
    var temp: TempHome!
    var extraProcesses: [ProcessIdentity] = []
    /// Added to the environment of every `tend(…)` (and so of the monitor it starts).
    var extraEnvironment: [String: String] = [:]

    override func setUpWithError() throws {
        temp = try TempHome()
    }

    override func tearDown() {
        temp?.cleanUp(extra: extraProcesses)
        extraProcesses = []
    }

    @discardableResult
    func tend(_ args: String..., expect code: Int32? = 0, timeout: Double = 60,
              file: StaticString = #filePath, line: UInt = #line) throws -> CommandRunner.Result {
        let result = try CommandRunner.tend(args, env: temp.environment.merging(extraEnvironment) { $1 }, timeout: timeout)
        if let code { XCTAssertEqual(result.code, code, "tend \(args.joined(separator: " ")): \(result)", file: file, line: line) }
        return result
    }

    /// `daemon "NAME" { command = {…} … }` lines for a config.
    func daemon(_ name: String, _ shell: String, extra: String = "") -> String {
        let escaped = shell.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
        return "daemon \"\(name)\" { command = { \"/bin/sh\", \"-c\", \"\(escaped)\" }\(extra.isEmpty ? "" : ", " + extra) }\n"
    }

    /// A daemon that prints a line every 0.2 s and runs until killed.
    func ticker(_ name: String, extra: String = "") -> String {
        daemon(name, "echo started $$; while :; do echo tick; sleep 0.2; done", extra: extra)
    }

    func status(_ name: String) throws -> [String: Any] {
        let out = try tend("status", name, "--format", "json").stdout
        let object = try JSONSerializationLite.parse(out)
        let daemons = (object["daemons"] as? [[String: Any]]) ?? []
        return daemons.first ?? [:]
    }

    /// `tend history NAME --format json`'s events, oldest first.
    func historyEvents(_ name: String) throws -> [[String: Any]] {
        let doc = try JSONSerializationLite.parse(try tend("history", name, "--format", "json").stdout)
        XCTAssertEqual(doc["daemon"] as? String, name)
        return try XCTUnwrap(doc["events"] as? [[String: Any]], "\(doc)")
    }

    func pid(of name: String) throws -> Int32? {
        let s = try status(name)
        guard s["state"] as? String == "RUNNING" else { return nil }
        return (s["pid"] as? Int).map(Int32.init)
    }

    /// Waits until the daemon runs with a PID other than `not`.
    func waitForPID(_ name: String, not old: Int32? = nil, timeout: Double = 30) throws -> Int32? {
        try Wait.value(timeout: timeout) { () throws -> Int32? in
            guard let p = try self.pid(of: name), p != old else { return nil }
            return p
        }
    }

    /// Starts `name`, then sends its process each signal in turn, waiting for the
    /// monitor's replacement between two; returns the PIDs signalled, in order.
    func startAndKill(_ name: String, with signals: [Int32]) throws -> [Int32] {
        try tend("start", name)
        var pid = try XCTUnwrap(try waitForPID(name))
        var signalled: [Int32] = []
        for (i, sig) in signals.enumerated() {
            XCTAssertEqual(kill(pid, sig), 0)
            signalled.append(pid)
            if i < signals.count - 1 { pid = try XCTUnwrap(try waitForPID(name, not: pid), "\(name) not restarted") }
        }
        return signalled
    }

    /// The monitor, by its identity record; nil when none is recorded.
    func monitorPID() -> ProcessIdentity? {
        guard let text = try? FileSystem.readText("\(temp.home)/.run/monitor.json"),
              let pid = TempHome.number(after: "pid", in: Substring(text)),
              let start = TempHome.number(after: "start_time", in: Substring(text)) else { return nil }
        return ProcessIdentity(pid: Int32(pid), startTime: start)
    }
}
