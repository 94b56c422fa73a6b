import XCTest
import TendSystem
import TendTestSupport
import TendCore

/// One JSON convention for every `--format json` and `--json` (docs/json.md): checked on
/// the real output of every command, and on every example in the document.
final class JSONConventionTests: CLITestCase {
    /// What the convention says of any key, wherever it stands; the problems found.
    static func violations(_ value: JSONValue, path: String = "$") -> [String] {
        var found: [String] = []
        switch value {
        case .object(let object):
            for (key, v) in object.sorted(by: { $0.key < $1.key }) {
                let at = "\(path).\(key)"
                if v == .null { found.append("\(at): null (leave the key out instead)") }
                if key == "ts" || key.hasSuffix("_at") {
                    let iso = v.stringValue.map { $0.range(of: #"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$"#, options: .regularExpression) != nil } ?? false
                    if !iso { found.append("\(at): \(v) is not an ISO-8601 UTC time") }
                }
                if key.hasSuffix("_seconds") && v.doubleValue == nil { found.append("\(at): \(v) is not a number of seconds") }
                if key == "ok" && v.boolValue == nil { found.append("\(at): \(v) is not a boolean") }
                if key == "pid" && v.intValue == nil { found.append("\(at): \(v) is not a PID") }
                if ["verdict", "timestamp", "success", "duration_ms", "at"].contains(key) {
                    found.append("\(at): a key the convention renamed")
                }
                found += violations(v, path: at)
            }
        case .array(let array):
            for (i, v) in array.enumerated() { found += violations(v, path: "\(path)[\(i)]") }
        default: break
        }
        return found
    }

    private func document(_ args: String..., expect code: Int32 = 0) throws -> [String: Any] {
        let result = try CommandRunner.tend(args, env: temp.environment)
        XCTAssertEqual(result.code, code, "tend \(args.joined(separator: " ")): \(result)")
        XCTAssertEqual(Self.violations(try JSONValue.parse(result.stdout)), [], "tend \(args.joined(separator: " "))")
        let doc = try JSONSerializationLite.parse(result.stdout)
        XCTAssertTrue(result.stdout.hasPrefix("{\n  \""), "one indented document: \(result.stdout.prefix(40))")
        return doc
    }

    func testEveryCommandFollowsTheConvention() throws {
        try temp.writeDaemons(ticker("web", extra: #"health = "process_alive""#)
                              + daemon("crasher", "exit 3", extra: "restart = { max_per_hour = 2, cooldown = 0 }"))
        try tend("start", "web", "crasher")
        XCTAssertNotNil(try waitForPID("web"))
        XCTAssertTrue(try Wait.until { try self.historyEvents("crasher").count >= 2 }, "the policy restarted the crasher")
        try tend("monitor", "--once")   // beside the monitor: says so, changes nothing

        let status = try document("status", "--format", "json")
        let daemons = try XCTUnwrap(status["daemons"] as? [[String: Any]])
        XCTAssertEqual(daemons.map { $0["daemon"] as? String }, ["web", "crasher"])
        XCTAssertNotNil(daemons[1]["last_exit_at"] as? String)
        XCTAssertEqual((status["monitor"] as? [String: Any])?["running"] as? Bool, true)

        let health = try document("health", "--format", "json", expect: 1)
        XCTAssertEqual(health["ok"] as? Bool, false, "the crasher is not healthy")
        let history = try document("history", "crasher", "--format", "json")
        XCTAssertNotNil(((history["events"] as? [[String: Any]])?.first)?["ts"] as? String)
        let verify = try document("pid", "verify", "web", "--format", "json")
        XCTAssertNotNil((verify["process"] as? [String: Any])?["started_at"] as? String)
        _ = try document("pid", "health", "--format", "json", expect: 1)
        _ = try document("plugins", "--format", "json")
        _ = try document("check-config", "--format", "json")
        let why = try document("why", "crasher", "--format", "json")
        XCTAssertNotNil(((why["decisions"] as? [[String: Any]])?.first)?["uptime_seconds"], "\(why)")
        try temp.write("deaths.json", #"[{"uptime": 3600, "code": 1}, {"uptime": 10, "code": 1}]"#)
        let simulated = try document("policy", "simulate", "web", "--deaths", "\(temp.root)/deaths.json", "--format", "json")
        XCTAssertEqual((simulated["decisions"] as? [[String: Any]])?.map { $0["elapsed_seconds"] as? Int }, [3600, 3610])

        let logs = try tend("logs", "web", "--json", "-n", "5").stdout.split(separator: "\n")
        XCTAssertFalse(logs.isEmpty)
        for line in logs {
            let record = try JSONValue.parse(String(line))
            XCTAssertEqual(Self.violations(record), [], String(line))
            XCTAssertEqual(record["daemon"], .string("web"))
        }
    }

    func testCheckConfigListsEachProblemWithFileLineAndMessage() throws {
        try temp.writeDaemons("""
            daemon "a" { comand = {"/bin/true"} }
            daemon "b" { command = {"/bin/true"}, after = { "c" } }
            """)
        let doc = try document("check-config", "--format", "json", expect: 1)
        XCTAssertEqual(doc["ok"] as? Bool, false)
        XCTAssertEqual(doc["daemons_file"] as? String, "\(temp.config)/daemons.lua")
        let problems = try XCTUnwrap(doc["problems"] as? [[String: Any]])
        XCTAssertEqual(problems.map { $0["line"] as? Int }, [1, 1, 2])
        XCTAssertEqual(Set(problems.map { $0["file"] as? String }), ["\(temp.config)/daemons.lua"])
        XCTAssertTrue((problems[0]["message"] as? String ?? "").hasPrefix("daemon 'a': unknown key 'comand'"), "\(problems)")
        XCTAssertTrue((problems[2]["message"] as? String ?? "").contains("'after' names 'c'"), "\(problems)")
        XCTAssertEqual((doc["counts"] as? [String: Any])?["problems"] as? Int, 3)
    }

    func testEveryExampleInTheDocumentFollowsTheConvention() throws {
        let text = try FileSystem.readText("\(Self.repoRoot)/docs/json.md")
        let blocks = text.components(separatedBy: "```json\n").dropFirst().map { $0.components(separatedBy: "\n```")[0] }
        XCTAssertGreaterThanOrEqual(blocks.count, 11, "an example per command")
        for block in blocks {
            // An example is one document, or JSON Lines (tend logs --json).
            let documents = block.hasPrefix("{\"") ? block.split(separator: "\n").map(String.init) : [block]
            for doc in documents {
                XCTAssertEqual(Self.violations(try JSONValue.parse(doc)), [], doc)
            }
        }
    }

    static let repoRoot: String = {
        var dir = FileSystem.parentDirectory(of: #filePath)
        while !FileSystem.exists("\(dir)/Package.swift") { dir = FileSystem.parentDirectory(of: dir) }
        return dir
    }()
}
