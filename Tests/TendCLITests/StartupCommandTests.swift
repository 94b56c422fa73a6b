import XCTest
import TendSystem
import TendTestSupport

/// `tend startup` end to end: the real binary, a temporary home, the shipped startup.lua
/// and daemons.lua, real daemons and a real monitor (all stopped by PID in tearDown).
final class StartupCommandTests: CLITestCase {
    static let repoRoot: String = {
        var dir = FileSystem.parentDirectory(of: #filePath)
        while !FileSystem.exists("\(dir)/Package.swift") { dir = FileSystem.parentDirectory(of: dir) }
        return dir
    }()
    static let fixtures = "\(repoRoot)/Tests/Fixtures/startup"

    /// A project folder whose name is fixed, so the golden output can name it.
    var project: String { "\(temp.root)/golden-project" }

    override func setUpWithError() throws {
        try super.setUpWithError()
        try FileSystem.makeDirectory(project)
    }

    /// The volatile parts of the output: PIDs and the time stamps of moved-aside files.
    func normalised(_ text: String) -> String {
        var out = text.replacingOccurrences(of: #"pid \d+"#, with: "pid N", options: .regularExpression)
        out = out.replacingOccurrences(of: #"\.corrupt-[0-9T.]+Z"#, with: ".corrupt-STAMP", options: .regularExpression)
        return out
    }

    func golden(_ name: String) throws -> String {
        try FileSystem.readText("\(Self.fixtures)/\(name)")
    }

    func assertEightDaemonsAndTheMonitorRun(file: StaticString = #filePath, line: UInt = #line) throws {
        let report = try JSONSerializationLite.parse(try tend("status", "--format", "json").stdout)
        let daemons = try XCTUnwrap(report["daemons"] as? [[String: Any]], file: file, line: line)
        XCTAssertEqual(daemons.count, 8, file: file, line: line)
        for d in daemons { XCTAssertEqual(d["state"] as? String, "RUNNING", "\(d)", file: file, line: line) }
        XCTAssertEqual((report["monitor"] as? [String: Any])?["running"] as? Bool, true, file: file, line: line)
    }

    func testStartupOnAFreshHomeRunsTenStepsAndStartsEverything() throws {
        let first = try tend("startup", "--project", project)
        XCTAssertEqual(first.stdout.split(separator: "\n").filter { $0.hasPrefix("[") && $0.contains("/10] ") }.count, 10, first.stdout)
        XCTAssertFalse(first.stdout.contains("\u{1B}["), "no colour when stdout is not a terminal")
        try assertEightDaemonsAndTheMonitorRun()

        // Again: everything is already up, and the project is known.
        let second = try tend("startup", "--project", project)
        XCTAssertTrue(second.stdout.contains("  [OK] All 8 daemons already running\n"), second.stdout)
        XCTAssertTrue(second.stdout.contains("  [OK] Health monitor already running (pid "), second.stdout)
        XCTAssertTrue(second.stdout.contains("  [OK] Loaded project: golden-project\n"), second.stdout)
        XCTAssertTrue(second.stdout.hasSuffix("All systems operational!\n" + String(repeating: "=", count: 60) + "\n"))
    }

    func testGoldenOutputOnAFreshHome() throws {
        let result = try tend("startup", "--project", project)
        XCTAssertEqual(normalised(result.stdout), try golden("fresh-home.txt"))
        XCTAssertEqual(result.stderr, "")
    }

    func testGoldenOutputWithProblemsReportsEveryOneAndStillExitsZero() throws {
        let fixture = "\(Self.fixtures)/project-with-problems"
        XCTAssertEqual(try CommandRunner.run(["/bin/cp", "-R", "\(fixture)/home", temp.home]).code, 0)
        XCTAssertEqual(try CommandRunner.run(["/bin/cp", "\(fixture)/golden-project/CLAUDE.md", project]).code, 0)
        let result = try tend("startup", "--project", project)
        XCTAssertEqual(normalised(result.stdout), try golden("with-problems.txt"))
        // What the steps wrote.
        let registry = try JSONSerializationLite.parse(try FileSystem.readText("\(temp.home)/skills/registry.json"))
        XCTAssertEqual((registry["skills"] as? [[String: Any]])?.map { $0["name"] as? String }, ["deploy"])
        XCTAssertEqual(try FileSystem.readText("\(temp.home)/projects/golden-project/CLAUDE.md"),
                       try FileSystem.readText("\(fixture)/golden-project/CLAUDE.md"))
        XCTAssertFalse(FileSystem.exists("\(temp.home)/.pids/ghost.pid"))
        try assertEightDaemonsAndTheMonitorRun()
    }

    func testJSONFormatParses() throws {
        let result = try tend("startup", "--project", project, "--format", "json")
        let doc = try JSONSerializationLite.parse(result.stdout)
        XCTAssertEqual(doc["title"] as? String, "Memory System Startup v2.0")
        let steps = try XCTUnwrap(doc["steps"] as? [[String: Any]])
        XCTAssertEqual(steps.map { $0["index"] as? Int }, Array(1...10))
        XCTAssertEqual(steps.map { $0["status"] as? String }, Array(repeating: "ok", count: 10))
        XCTAssertEqual(steps.last?["message"] as? String, "New project: golden-project")
        XCTAssertEqual(doc["ok"] as? Bool, true)
        XCTAssertEqual(doc["counts"] as? [String: Int], ["passed": 10, "warnings": 0, "failures": 0])
        XCTAssertTrue(steps.allSatisfy { $0["duration_seconds"] is Double || $0["duration_seconds"] is Int }, "\(steps)")
    }

    func testAUserCopyWithAnExtraStepRunsItWithoutRebuilding() throws {
        let shipped = try FileSystem.readText("\(Self.repoRoot)/plugins/startup.lua")
        let extra = """
              steps = {
                { title = "Greeting the user", run = function(ctx)
                    return "ok", "Hello from " .. tend.config_dir()
                  end },
            """
        XCTAssertTrue(shipped.contains("  steps = {\n"))
        try temp.write("config/plugins/startup.lua", shipped.replacingOccurrences(of: "  steps = {\n", with: extra + "\n"))
        let result = try tend("startup", "--project", project)
        XCTAssertTrue(result.stdout.contains("[1/11] Greeting the user...\n  [OK] Hello from \(temp.config)\n"), result.stdout)
        XCTAssertTrue(result.stdout.contains("[11/11] Loading project context...\n  [OK] New project: golden-project\n"), result.stdout)
        let listed = try tend("plugins").stdout
        XCTAssertTrue(listed.contains("\(temp.config)/plugins/startup.lua"), listed)
    }

    func testAStepThatErrorsFailsWithFileAndLineAndTheRestStillRun() throws {
        try temp.write("config/plugins/startup.lua", """
            return {
              title = "Short Startup",
              steps = {
                { title = "First", run = function(ctx) return "ok", "fine" end },
                { title = "Second", run = function(ctx)
                    local settings = nil
                    return "ok", settings.name
                  end },
                { title = "Third", run = function(ctx) return "warn", "still ran" end },
              },
            }
            """)
        let result = try tend("startup", "--project", project, expect: 1)
        let file = "\(temp.config)/plugins/startup.lua"
        XCTAssertEqual(result.stdout, """
            \(String(repeating: "=", count: 60))
            Short Startup
            \(String(repeating: "=", count: 60))

            [1/3] First...
              [OK] fine
            [2/3] Second...
              [FAIL] \(file):7: attempt to index a nil value (local 'settings')
            [3/3] Third...
              [WARN] still ran

            \(String(repeating: "=", count: 60))
            Completed with 1 warning(s) and 1 failure(s)
            \(String(repeating: "=", count: 60))

            """)
        let json = try JSONSerializationLite.parse(try tend("startup", "--project", project, "--format", "json", expect: 1).stdout)
        XCTAssertEqual((json["counts"] as? [String: Int])?["failures"], 1)
        XCTAssertEqual(json["ok"] as? Bool, false)
    }

    func testABrokenStartupScriptIsReportedWithFileAndLine() throws {
        try temp.write("config/plugins/startup.lua", "return {\n  steps = 'none',\n}\n")
        let result = try tend("startup", expect: 1)
        XCTAssertTrue(result.stderr.contains("\(temp.config)/plugins/startup.lua:1: "), result.stderr)
    }
}
