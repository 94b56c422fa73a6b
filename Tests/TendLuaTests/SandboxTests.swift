import XCTest
import TendCore
import TendSystem
@testable import TendLua
#if canImport(Glibc)
import Glibc
#endif

/// The environment of policies, health checks and daemons.lua: what is not there fails at
/// the script's file:line; the full environment of plugins keeps it all.
final class SandboxTests: LuaTestCase {
    func assertRefused(_ body: String, _ fragment: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let host = try makeHost()
        let path = "\(configDir)/refused.lua"
        XCTAssertThrowsError(try eval(host, "local x = 1\n\(body)\nreturn {}", file: "refused.lua", in: .sandbox), body, file: file, line: line) { error in
            let message = (error as? LuaError)?.message ?? "\(error)"
            XCTAssertTrue(message.hasPrefix("\(path):2: "), "\(body): \(message)", file: file, line: line)
            XCTAssertTrue(message.contains(fragment), "\(body): \(message)", file: file, line: line)
        }
    }

    func testWhatCouldEndBlockOrReplaceTheProcessIsNotThere() throws {
        try assertRefused("os.exit(0)", "field 'exit'")
        try assertRefused("os.execute('sleep 100')", "field 'execute'")
        try assertRefused("io.popen('sleep 100')", "field 'popen'")
        try assertRefused("io.read('l')", "field 'read'")
        try assertRefused("io.write('x')", "field 'write'")
        try assertRefused("os.remove('/tmp/x')", "field 'remove'")
        try assertRefused("package.loadlib('/lib/x.so', 'f')", "global 'package'")
        try assertRefused("dofile('/etc/passwd')", "global 'dofile'")
        try assertRefused("loadfile('/etc/passwd')", "global 'loadfile'")
        try assertRefused("debug.getinfo(1)", "field 'getinfo'")
        try assertRefused("io.open('/tmp/tend-sandbox-write', 'w')", "files are only read here")
        try assertRefused("io.lines()", "give a file name")
        try assertRefused("collectgarbage('stop')", "not available here")
        try assertRefused("tend.daemons.start({'x'})", "field 'start'")
        try assertRefused("require('os')", "no library 'os'")
    }

    func testWhatTheSandboxKeeps() throws {
        let host = try makeHost()
        let data = try writeConfig("data.txt", "one\ntwo\n")
        let r = try eval(host, """
            local lines = {}
            for l in io.lines("\(data)") do lines[#lines + 1] = l end
            local f = io.open("\(data)")
            local first = f:read("l")
            f:close()
            local fn, err = load(string.dump(function() end))
            local chunk = load("leak = 1; return 7")
            return { lines = lines, first = first, binary = fn == nil, err = err, chunk = chunk(), leak = leak == nil,
                     trace = type(debug.traceback()), clock = type(os.clock()), fmt = string.format("%d", 3),
                     require_is_tend_require = require == tend.require, own_g = _G.tend ~= nil and rawget(_G, "tend") == nil,
                     meta = getmetatable(_ENV) }
            """, in: .sandbox)
        XCTAssertEqual(r["lines"], .array([.string("one"), .string("two")]))
        XCTAssertEqual(r["first"], .string("one"))
        XCTAssertEqual(r["binary"], .bool(true), "binary chunks are refused")
        XCTAssertEqual(r["chunk"], .int(7))
        XCTAssertEqual(r["leak"], .bool(true), "a loaded chunk gets its own table")
        XCTAssertEqual(r["trace"], .string("string"))
        XCTAssertEqual(r["clock"], .string("number"))
        XCTAssertEqual(r["fmt"], .string("3"))
        XCTAssertEqual(r["require_is_tend_require"], .bool(true))
        XCTAssertEqual(r["own_g"], .bool(true), "_G is the script's own table")
        XCTAssertEqual(r["meta"], .bool(false), "the base is not reachable through the environment's metatable")
    }

    func testPluginsKeepTheWholeLibrary() throws {
        let host = try makeHost()
        let r = try eval(host, """
            return { exec = type(os.execute), popen = type(io.popen), exit = type(os.exit), package = type(package),
                     start = type(tend.daemons.start), memory = type(require("memory").read_json) }
            """, in: .full)
        XCTAssertEqual(r, .object(["exec": .string("function"), "popen": .string("function"), "exit": .string("function"),
                                   "package": .string("table"), "start": .string("function"), "memory": .string("function")]))
    }

    func testSandboxedRequireFindsLibrariesOnlyAndKeepsItsOwnCache() throws {
        try writeConfig("plugins/lib/counter.lua", "count = (count or 0) + 1\nreturn { n = count, exit = type(os.exit) }\n")
        let host = try makeHost()
        let r = try eval(host, """
            local a, b = require("counter"), tend.require("counter")
            return { same = a == b, n = b.n, exit = a.exit }
            """, in: .sandbox)
        XCTAssertEqual(r, .object(["same": .bool(true), "n": .int(1), "exit": .string("nil")]),
                       "a library required from the sandbox runs in the sandbox")
        XCTAssertThrowsError(try eval(host, "return require('../startup')", in: .sandbox)) { error in
            XCTAssertTrue("\(error)".contains("'../startup' is not a library name"), "\(error)")
        }
    }

    // MARK: The memory cap

    func testAHugeAllocationIsAScriptErrorAndTheStateGoesOn() throws {
        let host = try makeHost(memoryLimit: 16 << 20)
        let path = "\(configDir)/big.lua"
        XCTAssertThrowsError(try eval(host, "local x = 1\nlocal s = string.rep('x', 2^30)\nreturn {}", file: "big.lua", in: .sandbox)) { error in
            let e = error as! LuaError
            XCTAssertEqual(e.kind, .memory)
            XCTAssertTrue(e.message.hasPrefix("\(path):2: not enough memory: the script went past the memory cap of 16 MiB"), e.message)
        }
        XCTAssertThrowsError(try eval(host, "local t = {}\nfor i = 1, 1e9 do t[i] = i end", file: "big.lua", in: .sandbox)) { error in
            XCTAssertEqual((error as? LuaError)?.kind, .memory, "\(error)")
        }
        host.vm.collectIfNeeded()
        XCTAssertLessThan(host.vm.memoryUsed, 4 << 20, "what the script built is given back")
        XCTAssertEqual(try eval(host, "return 'still works'"), .string("still works"))
    }

    /// A host function may take the state past the cap (its pushes must never fail: the
    /// longjmp would cross Swift frames); the script's next allocation fails instead.
    func testAHostFunctionGoingPastTheCapFailsTheNextLuaAllocation() throws {
        let host = try makeHost(memoryLimit: 8 << 20)
        let big = "\(root)/big.txt"
        try FileSystem.writeAtomically(big, text: String(repeating: "y", count: 10 << 20))
        XCTAssertThrowsError(try eval(host, "local s = tend.fs.read('\(big)')\nlocal t = { s, s .. 'z' }\nreturn t", in: .sandbox)) { error in
            XCTAssertEqual((error as? LuaError)?.kind, .memory, "\(error)")
        }
        XCTAssertEqual(try eval(host, "return #tend.fs.read('\(big)')"), .int(10 << 20), "a host call past the cap itself succeeds")
        XCTAssertEqual(try eval(host, "return 1 + 1"), .int(2))
    }

    func testTheCapIsReadFromTheEnvironment() {
        XCTAssertEqual(LuaVM.memoryLimit(nil), 64 << 20)
        XCTAssertEqual(LuaVM.memoryLimit("128"), 128 << 20)
        XCTAssertEqual(LuaVM.memoryLimit("0"), 0)
        XCTAssertEqual(LuaVM.memoryLimit("lots"), 64 << 20)
    }

    // MARK: Budgets and odd errors

    func testABlockingCallCutByTheBudgetIsAnOverrun() throws {
        let host = try makeHost(budget: 0.3)
        let path = "\(configDir)/sleeps.lua"
        for body in ["tend.time.sleep(60)\nreturn {}", "return tend.time.sleep(60)"] {
            let started = Clock.monotonic()
            XCTAssertThrowsError(try eval(host, "local x = 1\n" + body, file: "sleeps.lua", in: .sandbox)) { error in
                let e = error as! LuaError
                XCTAssertEqual(e.kind, .budget, e.message)
                XCTAssertTrue(e.message.hasPrefix("\(path):2: time budget of 0.3 s exceeded"), e.message)
            }
            XCTAssertLessThan(Clock.monotonic() - started, 3)
        }
    }

    func testACoroutineLoopingForeverIsStopped() throws {
        let host = try makeHost(budget: 0.3)
        for body in ["coroutine.wrap(function() while true do end end)()",
                     "local co = coroutine.create(function() while true do end end)\nassert(coroutine.resume(co))"] {
            let started = Clock.monotonic()
            XCTAssertThrowsError(try eval(host, body, in: .sandbox)) { error in
                XCTAssertEqual((error as? LuaError)?.kind, .budget, "\(error)")
            }
            XCTAssertLessThan(Clock.monotonic() - started, 3)
        }
        // A coroutine made in one call (its hook is that call's) and resumed in a later one.
        let keeper = try writeConfig("plugins/lib/keeper.lua", "return { co = coroutine.create(function() while true do end end) }\n")
        _ = keeper
        _ = try eval(host, "tend.require('keeper') return 1", in: .sandbox)
        XCTAssertThrowsError(try eval(host, "coroutine.resume(tend.require('keeper').co) return 1", in: .sandbox)) { error in
            XCTAssertEqual((error as? LuaError)?.kind, .budget, "\(error)")
        }
    }

    func testDeepRecursionAndErrorObjectsComeBackWithFileAndLine() throws {
        let host = try makeHost()
        let path = "\(configDir)/odd.lua"
        // A deep recursion ends at Lua's stack limit or, first, at the memory cap.
        let cases: [String: [String]] = [
            "local function f(n) return f(n + 1) + 1 end\nf(1)": ["stack overflow", "not enough memory"],
            "local x = 1\nerror({ code = 1 })": ["(error object is a table value)"],
            "local x = 1\nerror(nil)": ["(error object is a nil value)"],
            "local x = 1\nerror(setmetatable({}, { __tostring = function() return 'custom' end }))": ["custom"],
            // The message handler runs a __tostring under the cap too.
            "local x = 1\nerror(setmetatable({}, { __tostring = function() return string.rep('x', 2^30) end }))": ["not enough memory", "error in error handling"],
        ]
        for (body, fragments) in cases {
            XCTAssertThrowsError(try eval(host, body, file: "odd.lua", in: .sandbox), body) { error in
                let message = (error as? LuaError)?.message ?? "\(error)"
                XCTAssertTrue(message.hasPrefix("\(path):"), "\(body): \(message)")
                XCTAssertNotNil(LuaError.parseLocation(message), message)
                XCTAssertTrue(fragments.contains { message.contains($0) }, "\(body): \(message)")
            }
        }
    }

    // MARK: Unsafe files

    func testAWorldWritablePolicyIsRefusedUntilChmodGoW() throws {
        let file = try writeConfig("policies/open.lua", "return { decide = function() return { action = 'stay_down', reason = 'mine' } end }\n")
        try FileSystem.setMode(file, 0o666)
        let policy = try LuaRestartPolicy(host: try makeHost(), report: reporter)
        let c = RestartContext(daemon: DaemonSpec(name: "d", run: .command(["/bin/true"]), policy: "open"),
                               exit: ExitInfo(cause: .exited, code: 1, at: 0), history: RestartHistory(), now: 10)
        let refused = policy.decide(c, budget: nil)
        XCTAssertEqual(refused.decision.version, .fallback)
        XCTAssertEqual(refused.problem?.file, file)
        XCTAssertTrue(refused.problem?.message.contains("world-writable (mode 666)") == true, "\(String(describing: refused.problem))")
        XCTAssertTrue(refused.problem?.message.contains("fix: chmod go-w \(file)") == true, "\(String(describing: refused.problem))")
        XCTAssertTrue(reported.first?.contains("chmod go-w") == true, "\(reported)")
        try FileSystem.setMode(file, 0o644)
        let fixed = policy.decide(c, budget: nil)
        XCTAssertEqual(fixed.decision.version, .current)
        XCTAssertEqual(fixed.decision.reason, "mine")
    }

    func testGroupWritableAndForeignFilesAreRefused() throws {
        let host = try makeHost()
        let file = try writeConfig("policies/health/shared.lua", "return { check = function() return true end }\n")
        try FileSystem.setMode(file, 0o664)
        XCTAssertThrowsError(try host.loadScript(file: file, in: .sandbox)) { error in
            XCTAssertEqual((error as? LuaError)?.kind, .unsafe)
            XCTAssertTrue("\(error)".contains("group-writable"), "\(error)")
        }
        try FileSystem.setMode(file, 0o600)
        XCTAssertNoThrow(try host.loadScript(file: file, in: .sandbox))
        // Owned by another user: as root (CI), give the file away; as a user, the same
        // comparison against another user ID.
        if geteuid() == 0 {
            XCTAssertEqual(chown(file, 65534, 65534), 0)
            XCTAssertThrowsError(try host.loadScript(file: file, in: .sandbox)) { error in
                XCTAssertTrue("\(error)".contains("belongs to uid 65534, neither root nor you"), "\(error)")
            }
        } else {
            let info = try XCTUnwrap(FileSystem.info(file))
            XCTAssertThrowsError(try ScriptFileSafety.check(info, path: file, user: info.owner + 1)) { error in
                XCTAssertTrue("\(error)".contains("neither root nor you"), "\(error)")
            }
        }
    }
}
