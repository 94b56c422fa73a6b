import XCTest
import TendCore
import TendSystem
@testable import TendLua

/// The runtime: errors carry file:line and a traceback, host errors are catchable, the
/// budget stops runaway code, and nothing leaks between scripts.
final class LuaVMTests: LuaTestCase {
    func testSyntaxErrorReportsFileAndLine() throws {
        let host = try makeHost()
        let path = try writeConfig("policies/broken.lua", "local x = 1\nlocal y = = 2\nreturn {}\n")
        XCTAssertThrowsError(try host.loadScript(file: path, in: .sandbox)) { error in
            let e = error as! LuaError
            XCTAssertEqual(e.kind, .syntax)
            XCTAssertEqual(e.file, path)
            XCTAssertEqual(e.line, 2)
            XCTAssertTrue(e.message.hasPrefix("\(path):2: "), e.message)
        }
    }

    func testRuntimeErrorReportsFileLineAndTraceback() throws {
        let host = try makeHost()
        let path = try writeConfig("policies/raises.lua", """
            local function inner()
              error("something broke")
            end
            inner()
            return {}
            """)
        XCTAssertThrowsError(try host.loadScript(file: path, in: .sandbox)) { error in
            let e = error as! LuaError
            XCTAssertEqual(e.kind, .runtime)
            XCTAssertEqual(e.message, "\(path):2: something broke")
            XCTAssertEqual(e.line, 2)
            XCTAssertTrue(e.traceback.hasPrefix("stack traceback:"), e.traceback)
            XCTAssertTrue(e.traceback.contains("\(path):4:"), "the caller's line is in the traceback: \(e.traceback)")
        }
    }

    func testLongPathsAreNotShortenedInMessages() throws {
        // Lua keeps at most 60 bytes of a chunk name ("...tail"); messages get the full path back.
        let host = try makeHost()
        let path = try writeConfig("policies/a-rather-long-directory-name/and-another-one-below/deep.lua", "error('deep')\n")
        XCTAssertGreaterThan(path.utf8.count, 60)
        XCTAssertThrowsError(try host.loadScript(file: path, in: .sandbox)) { error in
            XCTAssertEqual((error as! LuaError).message, "\(path):1: deep")
        }
    }

    func testErrorWithoutPositionGetsTheFrameLocation() throws {
        let host = try makeHost()
        let path = try writeConfig("policies/table-error.lua", "\n\nerror({code = 1})\n")
        XCTAssertThrowsError(try host.loadScript(file: path, in: .sandbox)) { error in
            XCTAssertTrue((error as! LuaError).message.hasPrefix("\(path):3: "), (error as! LuaError).message)
        }
    }

    func testHostFunctionErrorIsCaughtByPcallAndNamesTheCallerLine() throws {
        let host = try makeHost()
        let result = try eval(host, """
            local ok, err = pcall(tend.process.info, "not a pid")
            local ok2, err2 = pcall(function()
              return tend.pid.read("../etc/passwd")
            end)
            return { ok = ok, err = err, ok2 = ok2, err2 = err2 }
            """, file: "pcall.lua")
        XCTAssertEqual(result["ok"], .bool(false))
        // Called directly by pcall (no Lua caller line): Lua's own wording, no location.
        XCTAssertEqual(result["err"]?.stringValue, "bad argument #1 to 'tend.process.info' (integer expected, got string)")
        XCTAssertEqual(result["ok2"], .bool(false))
        let err2 = try XCTUnwrap(result["err2"]?.stringValue)
        XCTAssertTrue(err2.hasPrefix("\(configDir)/pcall.lua:3: bad argument #1 to 'tend.pid.read'"), err2)
    }

    func testHostErrorsInALoopLeaveTheVMWorking() throws {
        // Thousands of raised host errors: if a longjmp skipped Swift cleanup, the stack or
        // memory would drift and a later call would fail or crash.
        let host = try makeHost()
        let top = host.vm.stack.top
        let result = try eval(host, """
            local caught = 0
            for i = 1, 5000 do
              local ok, err = pcall(tend.fs.write, 42)
              if not ok and err:find("bad argument #1 to 'tend.fs.write'", 1, true) then caught = caught + 1 end
              local ok2, value = pcall(tend.json.encode, { f = print })
              if not ok2 then caught = caught + 1 end
            end
            return { caught = caught, after = tend.json.encode({ 1, 2, 3 }) }
            """)
        XCTAssertEqual(result["caught"], .int(10000))
        XCTAssertEqual(result["after"], .string("[1,2,3]"))
        XCTAssertEqual(host.vm.stack.top, top, "the stack is balanced")
        // And from Swift, many failing calls in a row.
        let failing = try host.vm.compile(source: "tend.time.sleep('x')", chunkname: "=loop")
        for _ in 0..<2000 {
            XCTAssertThrowsError(try host.vm.callTrusted(results: 0) { s in s.push(failing); return 0 })
        }
        XCTAssertEqual(host.vm.stack.top, top)
        XCTAssertEqual(try eval(host, "return 1 + 1"), .int(2))
    }

    func testEndlessLoopIsStoppedByTheBudgetWithFileAndLine() throws {
        let host = try makeHost(budget: 0.2)
        let path = try writeConfig("policies/spin.lua", """
            local n = 0
            while true do
              n = n + 1
            end
            """)
        let started = Clock.monotonic()
        XCTAssertThrowsError(try host.loadScript(file: path, in: .sandbox)) { error in
            let e = error as! LuaError
            XCTAssertEqual(e.kind, .budget)
            XCTAssertEqual(e.file, path)
            XCTAssertTrue([2, 3].contains(e.line ?? 0), e.message)
            XCTAssertTrue(e.message.contains("time budget"), e.message)
        }
        XCTAssertLessThan(Clock.monotonic() - started, 2)
        XCTAssertEqual(try eval(host, "return 'still works'"), .string("still works"), "the budget is reset for the next call")
    }

    func testPcallInsideTheScriptCannotSwallowTheBudget() throws {
        let host = try makeHost(budget: 0.2)
        let path = try writeConfig("policies/sneaky.lua", """
            local swallowed = 0
            while true do
              pcall(function() while true do end end)
              swallowed = swallowed + 1
            end
            """)
        XCTAssertThrowsError(try host.loadScript(file: path, in: .sandbox)) { error in
            XCTAssertEqual((error as! LuaError).kind, .budget)
        }
    }

    func testBlockingHostCallsStopAtTheBudget() throws {
        let host = try makeHost(budget: 0.3)
        let started = Clock.monotonic()
        XCTAssertThrowsError(try eval(host, "tend.time.sleep(30) while true do end"))
        XCTAssertLessThan(Clock.monotonic() - started, 3)
    }

    func testScriptsDoNotLeakGlobals() throws {
        let host = try makeHost()
        _ = try eval(host, "leaked = 42 return {}", file: "one.lua")
        XCTAssertEqual(try eval(host, "return { leaked = leaked, has_tend = tend ~= nil, req = require('tend') == tend }", file: "two.lua"),
                       .object(["has_tend": .bool(true), "req": .bool(true)]))
    }

    func testValueBridgeRoundTrip() throws {
        let host = try makeHost()
        let value: JSONValue = .object(["list": .array([.int(1), .double(2.5), .string("x")]), "flag": .bool(true),
                                        "nested": .object(["a": .object([:])])])
        host.vm.stack.push(value)
        XCTAssertEqual(try host.vm.stack.json(at: -1), value)
        host.vm.stack.pop()
        XCTAssertThrowsError(try eval(host, "return { f = function() end }")) { error in
            XCTAssertTrue("\(error)".contains("value.f: a function cannot be converted"), "\(error)")
        }
        XCTAssertThrowsError(try eval(host, "local t = {} t.self = t return t")) { error in
            XCTAssertTrue("\(error)".contains("nested more than"), "\(error)")
        }
        XCTAssertEqual(try eval(host, "return { [1] = 'a', [3] = 'c' }"), .object(["1": .string("a"), "3": .string("c")]))
    }

    func testErrorLocationParsing() {
        XCTAssertEqual(LuaError.parseLocation("/a/b.lua:12: boom")?.line, 12)
        XCTAssertEqual(LuaError.parseLocation("/a/b.lua:12: boom")?.file, "/a/b.lua")
        XCTAssertNil(LuaError.parseLocation("no location here: at all"))
        XCTAssertEqual(LuaError.parseLocation("[string \"x\"]:3: y")?.line, 3)
    }
}
