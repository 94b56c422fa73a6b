import XCTest
@testable import TendCore

final class StartOrderTests: XCTestCase {
    private func spec(_ name: String, after: [String] = []) -> DaemonSpec {
        DaemonSpec(name: name, run: .command(["/bin/true"]), after: after)
    }

    func testAcyclicGraphHasNoProblems() {
        let specs = [spec("db"), spec("cache", after: ["db"]), spec("web", after: ["db", "cache"])]
        XCTAssertEqual(StartOrder.problems(specs, declared: specs.map(\.name)), [])
    }

    func testUnknownNamesAreReportedWithTheNearestKnownOne() {
        let specs = [spec("db"), spec("web", after: ["dbb", "queue"])]
        XCTAssertEqual(StartOrder.problems(specs, declared: ["db", "web"]), [
            .init(daemon: "web", message: "'after' names 'dbb', which is not declared; did you mean 'db'?"),
            .init(daemon: "web", message: "'after' names 'queue', which is not declared"),
        ])
    }

    func testANameDeclaredWithOtherProblemsIsNotUnknown() {
        // "broken" is declared but was not read whole: no second, misleading problem.
        XCTAssertEqual(StartOrder.problems([spec("web", after: ["broken"])], declared: ["broken", "web"]), [])
    }

    func testEachCycleIsReportedOnceFromItsFirstDeclaredMember() {
        let specs = [spec("ok"), spec("a", after: ["b"]), spec("b", after: ["c"]), spec("c", after: ["a", "ok"]),
                     spec("x", after: ["y"]), spec("y", after: ["x"]), spec("z", after: ["a"])]
        let problems = StartOrder.problems(specs, declared: specs.map(\.name))
        XCTAssertEqual(problems.map(\.daemon), ["a", "x"])
        XCTAssertEqual(problems.map(\.concerns), [["a", "b", "c"], ["x", "y"]])
        XCTAssertEqual(problems[0].message, "'after' makes a cycle: a -> b -> c -> a (none of them could start)")
        XCTAssertEqual(problems[1].message, "'after' makes a cycle: x -> y -> x (none of them could start)")
    }

    func testACycleStartsAtItsMemberDeclaredFirst() {
        let specs = [spec("first", after: ["second"]), spec("second", after: ["first"])]
        let reversed = StartOrder.cycles(Array(specs.reversed()))
        XCTAssertEqual(reversed, [["second", "first"]], "declaration order decides where the cycle is reported")
        XCTAssertEqual(StartOrder.cycles(specs), [["first", "second"]])
    }
}
