import XCTest
import TendSystem
import TendTestSupport

/// Base for end-to-end tests: a temporary home per test, the real `tend` binary, real
/// processes; every process recorded in the home is killed by PID in tearDown.
class CLITestCase: XCTestCase {
    var temp: TempHome!
    var extraProcesses: [ProcessIdentity] = []

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
        let result = try CommandRunner.tend(args, env: temp.environment, timeout: timeout)
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

    func monitorPID() -> ProcessIdentity? {
        temp.recordedProcesses().last.flatMap { p in
            (try? FileSystem.readText("\(temp.home)/monitor.pid")).flatMap { $0.hasPrefix("\(p.pid) ") ? p : nil }
        }
    }
}
