import XCTest
import TendSystem
import TendTestSupport
#if canImport(Glibc)
import Glibc
#endif

/// The eight memory daemons, one `tend run NAME --once` tick each on fixture data in a
/// temporary home, checking the file the tick writes (and what it does with absent,
/// empty and corrupt inputs).
final class MemoryDaemonsTests: CLITestCase {
    func write(_ relative: String, _ text: String) throws { try temp.write("home/\(relative)", text) }

    func read(_ relative: String) throws -> [String: Any] {
        try JSONSerializationLite.parse(try FileSystem.readText("\(temp.home)/\(relative)"))
    }

    func tick(_ name: String, env: [String: String] = [:], file: StaticString = #filePath, line: UInt = #line) throws {
        var environment = temp.environment
        for (k, v) in env { environment[k] = v }
        let r = try CommandRunner.tend(["run", name, "--once"], env: environment)
        XCTAssertEqual(r.code, 0, "\(name): \(r)", file: file, line: line)
    }

    func names(_ relative: String) -> [String] {
        ((try? FileSystem.list("\(temp.home)/\(relative)")) ?? []).sorted()
    }

    func log(_ daemon: String) -> String {
        (try? FileSystem.readText("\(temp.home)/logs/daemons/\(daemon).log")) ?? ""
    }

    /// One JSON Lines log record as a log line would hold it.
    func record(_ ts: String, _ daemon: String, _ level: String, _ msg: String) -> String {
        #"{"ts":"\#(ts)","level":"\#(level)","daemon":"\#(daemon)","msg":"\#(msg)"}"#
    }

    // MARK: context-daemon

    func testContextDaemonMeasuresAndWarnsAboveTheLimit() throws {
        try tick("context-daemon")
        XCTAssertEqual(try read("context/status.json")["bytes"] as? Int, 0, "an empty home has no context")
        try write("context/settings.json", #"{"max_context_bytes": 100}"#)
        try write("sessions/current.json", String(repeating: " ", count: 60) + "{}")
        try write("projects/acme/CLAUDE.md", String(repeating: "#", count: 38))
        try write("context/notes.md", String(repeating: "n", count: 50))
        try tick("context-daemon")
        let status = try read("context/status.json")
        XCTAssertEqual(status["bytes"] as? Int, 150)
        XCTAssertEqual(status["limit"] as? Int, 100)
        XCTAssertEqual(status["percent"] as? Int, 150)
        XCTAssertEqual(status["over_limit"] as? Bool, true)
        XCTAssertEqual(status["files"] as? Int, 3)
        XCTAssertNotNil(status["measured_at"] as? String)
        XCTAssertTrue(log("context-daemon").contains("context is 150 B, above its limit of 100 B"), log("context-daemon"))
    }

    func testContextDaemonCopesWithCorruptSettings() throws {
        try write("context/settings.json", "{{{")
        try tick("context-daemon")
        XCTAssertEqual(try read("context/status.json")["limit"] as? Int, 200000)
        XCTAssertEqual(names("context").filter { $0.hasPrefix("settings.json.corrupt-") }.count, 1)
    }

    // MARK: session-auto-save-daemon

    func testSessionAutoSaveSnapshotsOnlyWhenTheContentChanges() throws {
        try tick("session-auto-save-daemon")
        XCTAssertEqual(names("sessions/history"), [], "no session, nothing to save")
        try write("sessions/current.json", #"{"id": "s1", "tasks": []}"#)
        try tick("session-auto-save-daemon")
        let first = names("sessions/history")
        XCTAssertEqual(first.count, 1)
        XCTAssertTrue(first[0].range(of: #"^\d{8}T\d{6}\.\d{3}Z\.json$"#, options: .regularExpression) != nil, first[0])
        XCTAssertEqual(try FileSystem.readText("\(temp.home)/sessions/history/\(first[0])"), #"{"id": "s1", "tasks": []}"#)
        try tick("session-auto-save-daemon")
        XCTAssertEqual(names("sessions/history").count, 1, "unchanged content: no new snapshot (even after a restart)")
        try write("sessions/current.json", #"{"id": "s1", "tasks": [{"id": 1}]}"#)
        try tick("session-auto-save-daemon")
        XCTAssertEqual(names("sessions/history").count, 2)
    }

    func testSessionAutoSaveMovesACorruptSessionAside() throws {
        try write("sessions/current.json", #"{"id": "#)
        try tick("session-auto-save-daemon")
        XCTAssertEqual(names("sessions/history"), [])
        XCTAssertEqual(names("sessions").filter { $0.hasPrefix("current.json.corrupt-") }.count, 1)
        XCTAssertTrue(log("session-auto-save-daemon").contains("is corrupt"))
    }

    // MARK: preference-auto-tracker

    func testPreferencesAreAggregatedAcrossSnapshots() throws {
        try write("sessions/history/20261101T100000.000Z.json", #"{"preferences": {"editor": "emacs", "tabs": 2}}"#)
        try write("sessions/history/20261102T100000.000Z.json", #"{"preferences": {"editor": "vim"}}"#)
        try write("sessions/history/20261103T100000.000Z.json", #"{"tasks": []}"#)
        try write("sessions/history/20261104T100000.000Z.json", "not json")
        try tick("preference-auto-tracker")
        let doc = try read("preferences.json")
        XCTAssertEqual(doc["snapshots"] as? Int, 3)
        let prefs = try XCTUnwrap(doc["preferences"] as? [String: [String: Any]])
        XCTAssertEqual(prefs["editor"]?["value"] as? String, "vim")
        XCTAssertEqual(prefs["editor"]?["count"] as? Int, 2)
        XCTAssertEqual(prefs["editor"]?["last_seen"] as? String, "20261102T100000.000Z")
        XCTAssertEqual(prefs["tabs"]?["value"] as? Int, 2)
        XCTAssertEqual(prefs["tabs"]?["count"] as? Int, 1)
        XCTAssertEqual(names("sessions/history").filter { $0.contains(".corrupt-") }.count, 1)
    }

    // MARK: skill-auto-suggester

    func testSkillsAreRankedAgainstTheSessionTopics() throws {
        try write("skills/registry.json", """
            {"skills": [
              {"name": "deploy", "description": "Ship a release to production with the release script"},
              {"name": "review", "description": "Review a pull request"},
              {"name": "release-notes", "description": "Write release notes for a release"}
            ]}
            """)
        try write("sessions/current.json", #"{"topics": ["release", "production", "Pull Request"]}"#)
        try tick("skill-auto-suggester")
        let doc = try read("skills/suggestions.json")
        let suggestions = try XCTUnwrap(doc["suggestions"] as? [[String: Any]])
        XCTAssertEqual(suggestions.map { $0["name"] as? String }, ["deploy", "release-notes", "review"])
        XCTAssertEqual(suggestions.map { $0["score"] as? Int }, [2, 1, 1])
        XCTAssertEqual(suggestions[0]["matched"] as? [String], ["release", "production"])
        XCTAssertEqual(doc["topics"] as? [String], ["release", "production", "pull request"])
    }

    func testSuggestionsAreEmptyWithoutARegistry() throws {
        try tick("skill-auto-suggester")
        XCTAssertEqual((try read("skills/suggestions.json")["suggestions"] as? [Any])?.count, 0)
    }

    // MARK: commit-daemon

    func testCommitDaemonSaysOnceThatTheHomeIsNotARepository() throws {
        try FileSystem.makeDirectory(temp.home)
        try tick("commit-daemon")
        XCTAssertTrue(log("commit-daemon").contains("is not a git repository"), log("commit-daemon"))
    }

    func testCommitDaemonCommitsTheMemoryButNotTendsOwnFiles() throws {
        guard let git = try? Spawner.resolve("git") else { throw XCTSkip("git is not available") }
        try write("sessions/current.json", #"{"id": "s1"}"#)
        XCTAssertEqual(try CommandRunner.run([git, "init", "-q", temp.home]).code, 0)
        try tick("commit-daemon")
        let files = try CommandRunner.run([git, "-C", temp.home, "ls-files"])
        XCTAssertEqual(files.stdout, "sessions/current.json\n", "logs/ and the state folders are never committed")
        let subject = try CommandRunner.run([git, "-C", temp.home, "log", "--format=%s"]).stdout
        XCTAssertTrue(subject.hasPrefix("memory: 20"), subject)
        XCTAssertTrue(log("commit-daemon").contains("committed 1 change"), log("commit-daemon"))
        try tick("commit-daemon")
        let count = try CommandRunner.run([git, "-C", temp.home, "rev-list", "--count", "HEAD"]).stdout
        XCTAssertEqual(count, "1\n", "nothing changed in the memory: no new commit")
    }

    // MARK: session-pruning-daemon

    func testPruningKeepsTheNewestFiftyAndNoneOlderThanThirtyDays() throws {
        for day in 1...55 {
            try write("sessions/history/202610\(String(format: "%02d", min(day, 28)))T1000\(String(format: "%02d", day)).000Z.json", "{}")
        }
        let all = names("sessions/history")
        XCTAssertEqual(all.count, 55)
        // The newest one is 40 days old by its modification time.
        var times = [timespec(tv_sec: time(nil) - 40 * 86400, tv_nsec: 0), timespec(tv_sec: time(nil) - 40 * 86400, tv_nsec: 0)]
        XCTAssertEqual(utimensat(AT_FDCWD, "\(temp.home)/sessions/history/\(all.last!)", &times, 0), 0)
        try tick("session-pruning-daemon")
        let left = names("sessions/history")
        XCTAssertEqual(left, Array(all[5..<54]))
        XCTAssertTrue(log("session-pruning-daemon").contains("pruned 6 snapshots"), log("session-pruning-daemon"))

        try tick("session-pruning-daemon", env: ["TEND_PRUNE_KEEP": "10"])
        XCTAssertEqual(names("sessions/history"), Array(all[44..<54]))
    }

    // MARK: pattern-detection-daemon

    func testRecurringErrorsAreCountedWithNumbersAndPathsNormalisedAway() throws {
        let a = record("2026-11-25T10:00:00.000Z", "context-daemon", "error", "cannot open /tmp/x/a.json: pid 4242 gone")
        let b = record("2026-11-25T10:01:00.000Z", "context-daemon", "error", "cannot open /var/y.json: pid 4343 gone")
        let c = record("2026-11-25T10:02:00.000Z", "commit-daemon", "critical", "cannot open /z: pid 1 gone")
        let other = record("2026-11-25T10:03:00.000Z", "commit-daemon", "error", "disk full")
        let info = record("2026-11-25T10:04:00.000Z", "commit-daemon", "info", "cannot open /q: pid 2 gone")
        try write("logs/health.log", [a, b, c, other, "not json"].joined(separator: "\n") + "\n")
        // The same records again in the daemons' own logs: counted once.
        try write("logs/daemons/context-daemon.log", [a, b].joined(separator: "\n") + "\n")
        try write("logs/daemons/commit-daemon.log", [c, other, info].joined(separator: "\n") + "\n")
        try tick("pattern-detection-daemon")
        let patterns = try XCTUnwrap(try read("patterns.json")["patterns"] as? [[String: Any]])
        XCTAssertEqual(patterns.map { $0["pattern"] as? String }, ["cannot open <path>: pid <n> gone", "disk full"])
        XCTAssertEqual(patterns.map { $0["count"] as? Int }, [3, 1])
        XCTAssertEqual(patterns[0]["daemons"] as? [String], ["commit-daemon", "context-daemon"])
        XCTAssertEqual(patterns[0]["first_seen"] as? String, "2026-11-25T10:00:00.000Z")
        XCTAssertEqual(patterns[0]["last_seen"] as? String, "2026-11-25T10:02:00.000Z")
    }

    // MARK: failure-prevention-daemon

    func testPatternsAboveTheThresholdBecomeRulesAndPolicyHits() throws {
        try write("patterns.json", """
            {"patterns": [
              {"pattern": "cannot open <path>", "count": 5, "daemons": ["a"], "example": "cannot open /x"},
              {"pattern": "disk full", "count": 1, "daemons": ["b"], "example": "disk full"}
            ]}
            """)
        try tick("failure-prevention-daemon")
        let rules = try XCTUnwrap(try read("failures/rules.json")["rules"] as? [[String: Any]])
        XCTAssertEqual(rules.map { $0["pattern"] as? String }, ["cannot open <path>"])
        XCTAssertEqual(rules[0]["count"] as? Int, 5)
        XCTAssertEqual(rules[0]["action"] as? String, "warn")
        let hits = try FileSystem.readText("\(temp.home)/logs/policy-hits.log")
        XCTAssertEqual(hits.split(separator: "\n").count, 1, hits)
        XCTAssertTrue(hits.contains("rule_added"), hits)

        try tick("failure-prevention-daemon")
        XCTAssertEqual(try FileSystem.readText("\(temp.home)/logs/policy-hits.log").split(separator: "\n").count, 1,
                       "a rule is a policy hit once, when it is added")
        try tick("failure-prevention-daemon", env: ["TEND_FAILURE_THRESHOLD": "1"])
        XCTAssertEqual((try read("failures/rules.json")["rules"] as? [Any])?.count, 2)
    }

    func testFailurePreventionCopesWithAbsentAndCorruptPatterns() throws {
        try tick("failure-prevention-daemon")
        XCTAssertEqual((try read("failures/rules.json")["rules"] as? [Any])?.count, 0)
        try write("patterns.json", "[oops")
        try tick("failure-prevention-daemon")
        XCTAssertEqual(names("").filter { $0.hasPrefix("patterns.json.corrupt-") }.count, 1)
    }
}
