import XCTest
import TendCore
import TendSystem
@testable import TendLua

/// The cookbook (`policies/examples/`): each example replayed with its own deaths file
/// through the simulator, and its decisions checked.
final class PolicyExamplesTests: LuaTestCase {
    static let tested = ["backoff", "clean-exit", "give-up", "maintenance"]
    var examples: String { "\(Self.repoRoot)/policies/examples" }

    func simulate(_ name: String, file: StaticString = #filePath, line: UInt = #line) throws -> PolicySimulator.Result {
        let deaths = try SimulatedDeath.parseList(try FileSystem.readText("\(examples)/\(name).deaths.json"), source: name)
        let daemon = DaemonSpec(name: "web", run: .command(["/bin/true"]))
        let r = try PolicySimulator(daemon: daemon, home: home, paths: paths, file: "\(examples)/\(name).lua").run(deaths)
        XCTAssertEqual(r.problems, [], file: file, line: line)
        XCTAssertTrue(r.steps.allSatisfy { $0.decision.version == .current }, file: file, line: line)
        return r
    }

    func testEveryExampleIsTestedAndDocumented() throws {
        let files = try FileSystem.list(examples).filter { $0.hasSuffix(".lua") }.map { String($0.dropLast(4)) }
        XCTAssertEqual(Set(files), Set(Self.tested))
        let doc = try FileSystem.readText("\(Self.repoRoot)/docs/policies.md")
        for name in files {
            XCTAssertTrue(FileSystem.exists("\(examples)/\(name).deaths.json"), "\(name) has no deaths file")
            XCTAssertTrue(doc.contains("--policy policies/examples/\(name).lua"), "docs/policies.md does not simulate \(name)")
        }
    }

    func testBackoffDoublesUpToTheCapAndRestartsAtOnceAfterAHealthyRun() throws {
        let r = try simulate("backoff")
        let waits: [RestartDecision.Action] = [1, 2, 4, 8, 16, 32, 64, 128, 256, 300].map { .restartAfter(seconds: $0) }
        XCTAssertEqual(r.steps.map(\.decision.action), waits + [.restartNow, .restartAfter(seconds: 2)])
    }

    func testCleanExitStaysDown() throws {
        let r = try simulate("clean-exit")
        XCTAssertEqual(r.steps.map(\.decision.action), [.restartNow, .restartAfter(seconds: 40), .stayDown])
        XCTAssertEqual(r.steps.last?.decision.reason, "exited cleanly (code 0): its work is done")
        XCTAssertEqual(r.notReplayed, 1)
    }

    func testGiveUpAfterFiveDeathsSaysSoInHealthLog() throws {
        let r = try simulate("give-up")
        XCTAssertEqual(r.steps.map(\.decision.action), [.restartNow, .restartNow, .restartNow, .restartNow, .stayDown])
        XCTAssertEqual(r.notReplayed, 1)
        XCTAssertEqual(r.steps.prefix(4).flatMap(\.logged), [], "nothing logged before giving up")
        let said = try XCTUnwrap(r.steps.last?.logged.first)
        XCTAssertEqual(said.type, LogRecordType.healthEvent)
        XCTAssertEqual(said.level, .error)
        XCTAssertEqual(DaemonLogger.destinations(of: said), [.daemon, .health])
        XCTAssertTrue(said.msg.hasPrefix("web: gave up after 5 deaths in 10 minutes"), said.msg)
        XCTAssertFalse(FileSystem.exists(home.healthLog), "a simulation writes nothing")
    }

    func testMaintenanceFlagDelaysRestartsWhileItExists() throws {
        XCTAssertEqual(try simulate("maintenance").steps.map(\.decision.action), [.restartNow, .restartAfter(seconds: 40)])
        try FileSystem.writeAtomically("\(home.root)/maintenance", text: "")
        let during = try simulate("maintenance")
        XCTAssertEqual(during.steps.map(\.decision.action), [.restartAfter(seconds: 300), .restartAfter(seconds: 300)])
        XCTAssertTrue(during.steps[0].decision.reason.hasPrefix("maintenance (the home's maintenance file exists)"))
    }
}
