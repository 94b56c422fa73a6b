import XCTest
import TendCore
import TendSystem
import TendTestSupport
@testable import TendLua
#if canImport(Glibc)
import Glibc
#endif

/// The shipped startup steps one at a time (the Lua-level harness: one step, one ctx),
/// each against absent, present, empty and corrupt inputs. Steps 7–9 need a monitor and
/// real daemons: the CLI tests cover them.
final class StartupStepTests: LuaTestCase {
    var projectDir: String { "\(root)/acme" }

    override func setUp() {
        super.setUp()
        XCTAssertNoThrow(try FileSystem.makeDirectory(projectDir))
    }

    /// Runs step `index` of the shipped startup.lua with a fresh ctx.
    func step(_ index: Int, project: String? = nil, file: StaticString = #filePath, line: UInt = #line) throws -> StepOutcome {
        let sequence = try StartupSequence(home: home, paths: paths, projectDir: project ?? projectDir)
        XCTAssertEqual(sequence.titles.count, 10, file: file, line: line)
        return sequence.run(step: index)
    }

    func writeHome(_ relative: String, _ text: String) throws {
        let path = "\(home.root)/\(relative)"
        try FileSystem.makeDirectory(FileSystem.parentDirectory(of: path))
        try FileSystem.writeAtomically(path, text: text)
    }

    func readHome(_ relative: String) throws -> JSONValue {
        try JSONValue.parse(try FileSystem.readText("\(home.root)/\(relative)"))
    }

    /// Names in a home folder that were moved aside as corrupt.
    func movedAside(_ folder: String) -> [String] {
        ((try? FileSystem.list("\(home.root)/\(folder)")) ?? []).filter { $0.contains(".corrupt-") }
    }

    func assertOutcome(_ o: StepOutcome, _ status: StepOutcome.Status, _ message: String,
                       file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(o.status, status, o.message, file: file, line: line)
        XCTAssertEqual(o.message, message, file: file, line: line)
    }

    func assertOutcome(_ o: StepOutcome, _ status: StepOutcome.Status, prefix: String,
                       file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(o.status, status, o.message, file: file, line: line)
        XCTAssertTrue(o.message.hasPrefix(prefix), "\(o.message) does not start with \(prefix)", file: file, line: line)
    }

    // MARK: 1. Context optimization

    func testContextSettingsAreCreatedWhenAbsentOrEmpty() throws {
        assertOutcome(try step(1), .ok, "Context optimization initialized: context 0 B of 200.0 KB (0%)")
        XCTAssertEqual(try readHome("context/settings.json")["max_context_bytes"], .int(200000))
        try writeHome("context/settings.json", "  \n")
        assertOutcome(try step(1), .ok, "Context optimization initialized: context 0 B of 200.0 KB (0%)")
        XCTAssertEqual(try readHome("context/settings.json")["max_context_bytes"], .int(200000))
    }

    func testContextOverItsLimitIsAWarning() throws {
        try writeHome("context/settings.json", #"{"max_context_bytes": 100}"#)
        try writeHome("sessions/current.json", #"{"id": "s1", "notes": "\#(String(repeating: "x", count: 125))"}"#)
        try writeHome("projects/acme/CLAUDE.md", String(repeating: "y", count: 50))
        assertOutcome(try step(1), .warn, "Context over its limit: context 200 B of 100 B (200%)")
    }

    func testCorruptContextSettingsAreMovedAsideAndReplaced() throws {
        try writeHome("context/settings.json", "{ max_context_bytes = 5 }")
        assertOutcome(try step(1), .warn, prefix: "context/settings.json was corrupt; moved to settings.json.corrupt-")
        XCTAssertEqual(movedAside("context").count, 1)
        XCTAssertEqual(try readHome("context/settings.json")["max_context_bytes"], .int(200000))
        XCTAssertTrue(try FileSystem.readText(home.daemonLog("startup")).contains("is corrupt"))
    }

    // MARK: 2. Session state

    let session = #"""
        {"id": "s1", "started": "2026-11-25T08:00:00Z",
         "tasks": [{"id": 1, "title": "Fix login", "status": "done"},
                   {"id": 2, "title": "Write docs", "status": "todo"},
                   {"id": 3, "title": "Ship it", "status": "in_progress"}],
         "preferences": {"editor": "vim"}, "topics": ["swift"]}
        """#

    func testSessionAbsentEmptyPresentCorrupt() throws {
        assertOutcome(try step(2), .ok, "No saved session")
        try writeHome("sessions/current.json", "")
        assertOutcome(try step(2), .ok, "No saved session")
        try writeHome("sessions/current.json", session)
        assertOutcome(try step(2), .ok, "Session s1 loaded: 3 tasks (2 open)")
        try writeHome("sessions/current.json", "42")
        assertOutcome(try step(2), .warn, prefix: "sessions/current.json was corrupt; moved to current.json.corrupt-")
        XCTAssertFalse(FileSystem.exists("\(home.root)/sessions/current.json"))
        XCTAssertEqual(movedAside("sessions").count, 1)
    }

    // MARK: 3. Stale PIDs

    func testStalePIDFilesAreRemovedAndNamed() throws {
        assertOutcome(try step(3), .ok, "No stale PIDs found")
        try writeHome(".pids/ghost.pid", "4000000\n")
        try writeHome(".pids/junk.pid", "not a pid\n")
        try writeHome(".pids/alive.pid", "\(getpid())\n")   // a live process, but nothing vouches for it
        try PidTracker(home: home).record("recorded", pid: getpid())
        assertOutcome(try step(3), .ok, "Removed 3 stale PID files: alive (pid \(getpid())), ghost (pid 4000000), junk")
        XCTAssertEqual(try FileSystem.list(home.pidsDir), ["recorded.pid"], "a PID file with its identity record is kept")
        assertOutcome(try step(3), .ok, "No stale PIDs found")
    }

    // MARK: 4. CLAUDE.md

    func testClaudeMdIsMigratedOnceAndBackedUpWhenItChanges() throws {
        assertOutcome(try step(4), .ok, "No local CLAUDE.md found")
        try FileSystem.writeAtomically("\(projectDir)/CLAUDE.md", text: "# v1\n")
        assertOutcome(try step(4), .ok, "Migrated CLAUDE.md to projects/acme/CLAUDE.md")
        XCTAssertEqual(try FileSystem.readText("\(home.root)/projects/acme/CLAUDE.md"), "# v1\n")
        assertOutcome(try step(4), .ok, "CLAUDE.md unchanged (projects/acme/CLAUDE.md)")
        XCTAssertFalse(FileSystem.exists("\(home.root)/projects/acme/CLAUDE.md.bak"))
        try FileSystem.writeAtomically("\(projectDir)/CLAUDE.md", text: "# v2\n")
        assertOutcome(try step(4), .ok, "Migrated CLAUDE.md to projects/acme/CLAUDE.md (previous copy kept as CLAUDE.md.bak)")
        XCTAssertEqual(try FileSystem.readText("\(home.root)/projects/acme/CLAUDE.md"), "# v2\n")
        XCTAssertEqual(try FileSystem.readText("\(home.root)/projects/acme/CLAUDE.md.bak"), "# v1\n")
    }

    // MARK: 5. Skills

    func testSkillsAreRegisteredAndABadOneIsNamed() throws {
        assertOutcome(try step(5), .ok, "No skills to register")
        try writeHome("skills/deploy/SKILL.md", "---\nname: deploy\ndescription: \"Ship a release to production\"\n---\nSteps…\n")
        try writeHome("skills/review/SKILL.md", "---\nname: review\ndescription: Review a pull request\n---\n")
        try writeHome("skills/broken/SKILL.md", "no front matter here\n")
        try writeHome("skills/nameless/SKILL.md", "---\ndescription: x\n---\n")
        assertOutcome(try step(5), .warn, "Registered 2 skills; skipped broken (no front matter (--- … ---)), nameless (no name in front matter)")
        let skills = try XCTUnwrap(try readHome("skills/registry.json")["skills"]?.arrayValue)
        XCTAssertEqual(skills.map { $0["name"] }, [.string("deploy"), .string("review")])
        XCTAssertEqual(skills[0]["description"], .string("Ship a release to production"))
        XCTAssertEqual(skills[0]["path"], .string("skills/deploy/SKILL.md"))
    }

    func testACorruptRegistryIsMovedAsideAndRewritten() throws {
        try writeHome("skills/registry.json", "[1, 2")
        assertOutcome(try step(5), .warn, prefix: "Registered 0 skills; skills/registry.json was corrupt; moved to registry.json.corrupt-")
        XCTAssertEqual(try readHome("skills/registry.json")["skills"], .array([]))
        XCTAssertEqual(movedAside("skills").count, 1)
    }

    // MARK: 6. Incomplete work

    func testIncompleteTasksAreAWarningListingThem() throws {
        assertOutcome(try step(6), .ok, "No incomplete work")
        try writeHome("sessions/current.json", session)
        assertOutcome(try step(6), .warn, "2 incomplete tasks: Write docs (todo), Ship it (in_progress)")
        try writeHome("sessions/current.json", #"{"tasks": [{"id": 1, "title": "A", "status": "done"}]}"#)
        assertOutcome(try step(6), .ok, "No incomplete work")
        try writeHome("sessions/current.json", #"{"tasks": "#)
        assertOutcome(try step(6), .warn, prefix: "sessions/current.json was corrupt; moved to current.json.corrupt-")
    }

    // MARK: 10. Project context

    func testProjectIsCreatedThenLoadedAndACorruptOneReplaced() throws {
        assertOutcome(try step(10), .ok, "New project: acme")
        XCTAssertEqual(try readHome("projects/acme/project.json")["loads"], .int(1))
        XCTAssertEqual(try readHome("projects/acme/project.json")["path"], .string(projectDir))
        assertOutcome(try step(10), .ok, "Loaded project: acme")
        XCTAssertEqual(try readHome("projects/acme/project.json")["loads"], .int(2))
        try writeHome("projects/acme/project.json", "{\"name\": ")
        assertOutcome(try step(10), .warn, prefix: "projects/acme/project.json was corrupt; moved to project.json.corrupt-")
        XCTAssertTrue(try FileSystem.readText("\(home.root)/projects/acme/project.json").contains("\"loads\":1"))
    }

    func testTheProjectNameIsTheGitTopLevel() throws {
        let repo = "\(root)/widget-repo"
        try FileSystem.makeDirectory("\(repo)/src/deep")
        guard let git = try? Spawner.resolve("git") else { throw XCTSkip("git is not available") }
        XCTAssertEqual(try CommandRunner.run([git, "init", "-q", repo]).code, 0)
        assertOutcome(try step(10, project: "\(repo)/src/deep"), .ok, "New project: widget-repo")
        XCTAssertEqual(try readHome("projects/widget-repo/project.json")["path"], .string(repo))
    }

    // MARK: The sequence itself

    func testTheShippedSequenceHasTheSeedsTenSteps() throws {
        let sequence = try StartupSequence(home: home, paths: paths, projectDir: projectDir)
        XCTAssertEqual(sequence.title, "Memory System Startup v2.0")
        XCTAssertEqual(sequence.titles, [
            "Initializing context optimization", "Loading session state", "Cleaning up stale PIDs",
            "Checking for local CLAUDE.md", "Auto-registering skills", "Checking for incomplete work",
            "Starting all daemons", "Starting health monitor", "Verifying daemon health", "Loading project context",
        ])
    }

    func testStepsShareStateAndBadStepsFailWithoutStoppingTheRest() throws {
        let file = try writeConfig("plugins/startup.lua", """
            return {
              title = "Mine",
              steps = {
                { title = "Remember", run = function(ctx) ctx.state.x = 41; return "ok", "stored" end },
                { title = "Recall", run = function(ctx) return "ok", tostring(ctx.state.x + 1) end },
                { title = "Break", run = function(ctx)
                    error("no luck") end },
                { title = "Odd", run = function(ctx) return "maybe" end },
                { title = "Spin", budget = 0.2, run = function(ctx)
                    while true do end end },
                { title = "Shapeless" },
                { title = "Last", run = function(ctx) return "warn" end },
              },
            }
            """)
        let sequence = try StartupSequence(home: home, paths: paths, projectDir: projectDir)
        let outcomes = sequence.runAll()
        XCTAssertEqual(outcomes.map(\.status), [.ok, .ok, .fail, .fail, .fail, .fail, .warn])
        XCTAssertEqual(outcomes[1].message, "42")
        XCTAssertEqual(outcomes[2].message, "\(file):7: no luck")
        XCTAssertEqual(outcomes[3].message, "\(file):8: step returned 'maybe'; expected \"ok\", \"warn\" or \"fail\" and a message")
        XCTAssertTrue(outcomes[4].message.hasPrefix("\(file):10: time budget of 0.2 s exceeded"), outcomes[4].message)
        XCTAssertEqual(outcomes[5].message, "\(file): step 6: 'run' must be a function, got nil")
        let log = try FileSystem.readText(home.healthLog)
        XCTAssertTrue(log.contains("no luck"), log)
    }
}

