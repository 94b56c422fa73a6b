import XCTest
import TendCore
import TendSystem
@testable import TendLua

/// The registry is the single source of the API: the committed reference and LuaLS stubs
/// must equal what it generates, and Lua must see exactly the registered functions.
/// `TEND_UPDATE_DOCS=1 swift test --filter APIDocsTests` rewrites the committed files.
final class APIDocsTests: LuaTestCase {
    func assertCommitted(_ relative: String, equals generated: String) throws {
        let path = "\(Self.repoRoot)/\(relative)"
        if Spawner.currentEnvironment()["TEND_UPDATE_DOCS"] == "1" {
            try FileSystem.writeAtomically(path, text: generated, mode: 0o644)
        }
        let committed = try FileSystem.readTextIfPresent(path) ?? ""
        XCTAssertEqual(committed, generated, "\(relative) is out of date: run TEND_UPDATE_DOCS=1 swift test --filter APIDocsTests")
    }

    func testCommittedReferenceEqualsTheGeneratedOne() throws {
        try assertCommitted("docs/lua-api.md", equals: APIDocs.markdown())
    }

    func testCommittedLuaLSAnnotationsEqualTheGeneratedOnes() throws {
        try assertCommitted("docs/tend.meta.lua", equals: APIDocs.luaMeta())
    }

    func testEveryRegisteredFunctionIsDocumented() {
        let markdown = APIDocs.markdown()
        let meta = APIDocs.luaMeta()
        var seen = Set<String>()
        for f in TendAPI.functions {
            XCTAssertTrue(seen.insert(f.qualifiedName).inserted, "\(f.qualifiedName) registered twice")
            XCTAssertFalse(f.doc.isEmpty, "\(f.qualifiedName) has no doc")
            XCTAssertTrue(TendAPI.modules.contains { $0.name == f.module }, "\(f.module) is not a listed module")
            XCTAssertTrue(markdown.contains("### `\(f.signature)`"), "\(f.qualifiedName) missing from lua-api.md")
            XCTAssertTrue(meta.contains("function \(f.qualifiedName)("), "\(f.qualifiedName) missing from tend.meta.lua")
        }
    }

    func testLuaSeesExactlyTheRegisteredFunctions() throws {
        let host = try makeHost()
        let listed = try eval(host, """
            local names = {}
            local function walk(prefix, t)
              for k, v in pairs(t) do
                if type(v) == "table" then walk(prefix .. "." .. k, v)
                else names[#names + 1] = prefix .. "." .. k .. ":" .. type(v) end
              end
            end
            walk("tend", tend)
            table.sort(names)
            return names
            """)
        let expected = TendAPI.functions.map { "\($0.qualifiedName):function" }.sorted()
        XCTAssertEqual(listed, .array(expected.map { .string($0) }))
    }

    func testTheSeedLoggerFunctionsAreAllThere() {
        let log = Set(TendAPI.functions.filter { $0.module == "tend.log" }.map(\.name))
        XCTAssertEqual(log, ["debug", "info", "warning", "error", "critical", "policy_hit", "health_event",
                             "startup", "shutdown", "exception", "performance"])
    }
}
