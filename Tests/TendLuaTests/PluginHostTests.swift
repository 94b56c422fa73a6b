import XCTest
import TendCore
import TendSystem
@testable import TendLua

/// The plugin host without processes: shapes, tend.require, tend.fs.hash, the daemon
/// runner's tick and error handling, command exit codes.
final class PluginHostTests: LuaTestCase {
    // MARK: Shapes

    func info(_ source: String, file: String = "plugins/p.lua") throws -> PluginInfo {
        let path = try writeConfig(file, source)
        let host = try makeHost()
        let script = try host.loadScript(file: path, in: .full)
        defer { host.release(script) }
        return try PluginShape.inspect(script, vm: host.vm)
    }

    func testTheThreeShapesAreRecognised() throws {
        XCTAssertEqual(try info("return { summary = 'hi', run = function(args) return 0 end }"),
                       PluginInfo(kind: .command, summary: "hi"))
        XCTAssertEqual(try info("return { interval = 5, budget = 2, tick = function(ctx) end }"),
                       PluginInfo(kind: .daemon, interval: 5, budget: 2))
        XCTAssertEqual(try info("return { title = 'T', steps = { { title = 'a', run = function() end } } }").kind, .sequence)
    }

    func testAWrongShapeIsReportedAtTheReturnLine() throws {
        let path = "\(configDir)/plugins/p.lua"
        XCTAssertThrowsError(try info("local x = 1\nreturn { tick = 'no', interval = -1 }")) { error in
            XCTAssertEqual("\(error)", "\(path):2: the daemon plugin table is wrong: 'tick' must be a function, got string; 'interval' must be a positive number of seconds, got -1")
        }
        XCTAssertThrowsError(try info("return { run = function() end, tick = function() end }")) { error in
            XCTAssertTrue("\(error)".contains("exactly one of 'run'"), "\(error)")
        }
        XCTAssertThrowsError(try info("return { helper = 1 }")) { error in
            XCTAssertTrue("\(error)".contains("this table has keys helper"), "\(error)")
        }
        XCTAssertThrowsError(try info("return { steps = { { title = 'a' }, 'x' } }")) { error in
            XCTAssertTrue("\(error)".contains("step 1: 'run' must be a function, got nil; step 2: must be a table"), "\(error)")
        }
    }

    func testCheckConfigAcceptsEveryShippedPlugin() throws {
        let report = ConfigChecker.run(paths: paths, home: home)
        XCTAssertEqual(report.problems.map(\.description), [])
        XCTAssertEqual(report.plugins, 9)
    }

    // MARK: tend.require

    func testRequireLoadsALibraryOnceAndTheUserCopyWins() throws {
        try writeConfig("plugins/lib/counter.lua", "count = (count or 0) + 1\nreturn { n = count, where = 'user' }\n")
        let host = try makeHost()
        let result = try eval(host, """
            local a = tend.require("counter")
            local b = tend.require("counter")
            local memory = tend.require("memory")
            return { same = a == b, n = b.n, where = a.where, shipped = type(memory.read_json), leaked = count == nil }
            """)
        XCTAssertEqual(result, .object(["same": .bool(true), "n": .int(1), "where": .string("user"),
                                        "shipped": .string("function"), "leaked": .bool(true)]))
    }

    func testRequireRefusesPathsAndNamesMissingLibraries() throws {
        let host = try makeHost()
        XCTAssertThrowsError(try eval(host, "return tend.require('../startup')")) { error in
            XCTAssertTrue("\(error)".contains("'../startup' is not a library name"), "\(error)")
        }
        XCTAssertThrowsError(try eval(host, "return tend.require('nope')")) { error in
            XCTAssertTrue("\(error)".contains("no library 'nope' (looked in \(self.configDir)/plugins/lib"), "\(error)")
        }
        let lib = try writeConfig("plugins/lib/broken.lua", "local x = nil\nreturn x.y\n")
        XCTAssertThrowsError(try eval(host, "return tend.require('broken')")) { error in
            XCTAssertTrue("\(error)".contains("\(lib):2:"), "\(error)")
        }
        try writeConfig("plugins/lib/loop.lua", "return tend.require('loop')\n")
        XCTAssertThrowsError(try eval(host, "return tend.require('loop')")) { error in
            XCTAssertTrue("\(error)".contains("requires itself"), "\(error)")
        }
    }

    // MARK: tend.fs.hash and JSON arrays

    func testHashIsFNV1aOfTheContent() throws {
        let a = try writeConfig("a.txt", "a")
        let b = try writeConfig("b.txt", "a")
        let host = try makeHost()
        let result = try eval(host, """
            local missing, err = tend.fs.hash("\(root)/none")
            return { tend.fs.hash("\(a)"), tend.fs.hash("\(b)") == tend.fs.hash("\(a)"), missing == nil, type(err) }
            """)
        XCTAssertEqual(result, .array([.string("af63dc4c8601ec8c"), .bool(true), .bool(true), .string("string")]))
    }

    func testEmptyArraysSurviveARoundTrip() throws {
        let host = try makeHost()
        let result = try eval(host, """
            local memory = tend.require("memory")
            local decoded = tend.json.decode('{"a":[],"b":{}}')
            return { tend.json.encode(decoded), tend.json.encode({ list = memory.array(), map = {} }) }
            """)
        XCTAssertEqual(result, .array([.string(#"{"a":[],"b":{}}"#), .string(#"{"list":[],"map":{}}"#)]))
    }

    // MARK: Running

    func loadPlugin(_ name: String, _ source: String) throws -> LoadedPlugin {
        try writeConfig("plugins/\(name).lua", source)
        return try LoadedPlugin(name: name, paths: paths, home: home, logName: name)
    }

    func testATickKeepsItsStateAndARaisingTickComesBackWithFileAndLine() throws {
        let plugin = try loadPlugin("counter", """
            return {
              interval = 10,
              tick = function(ctx)
                ctx.state.n = (ctx.state.n or 0) + 1
                tend.fs.write(ctx.home .. "/n.txt", ctx.name .. " " .. ctx.state.n .. " " .. ctx.ticks .. " " .. ctx.interval)
                if ctx.state.n == 2 then error("second tick breaks") end
              end,
            }
            """)
        let runner = DaemonPluginRunner(plugin, daemonName: "counter", options: .init())
        XCTAssertNil(runner.runOnce())
        XCTAssertEqual(try FileSystem.readText("\(home.root)/n.txt"), "counter 1 1 10")
        let error = try XCTUnwrap(runner.runOnce())
        XCTAssertEqual(error.message, "\(configDir)/plugins/counter.lua:6: second tick breaks")
        XCTAssertNil(runner.runOnce())
        XCTAssertEqual(try FileSystem.readText("\(home.root)/n.txt"), "counter 3 3 10")
        let log = try FileSystem.readText(home.daemonLog("counter"))
        XCTAssertTrue(log.contains("tick failed: \(configDir)/plugins/counter.lua:6: second tick breaks"), log)
        XCTAssertTrue(try FileSystem.readText(home.healthLog).contains("second tick breaks"))
    }

    func testIntervalPrecedence() throws {
        let plugin = try loadPlugin("slow", "return { interval = 120, tick = function() end }")
        XCTAssertEqual(DaemonPluginRunner(plugin, daemonName: "slow", options: .init()).interval, 120)
        XCTAssertEqual(DaemonPluginRunner(plugin, daemonName: "slow", options: .init(interval: 0.5)).interval, 0.5)
        let bare = try loadPlugin("bare", "return { tick = function() end }")
        XCTAssertEqual(DaemonPluginRunner(bare, daemonName: "bare", options: .init()).interval, DaemonPluginRunner.defaultInterval)
    }

    func testARunawayTickIsStoppedByItsBudget() throws {
        let plugin = try loadPlugin("spin", "return { budget = 0.2, tick = function()\n  while true do end\nend }")
        let error = try XCTUnwrap(DaemonPluginRunner(plugin, daemonName: "spin", options: .init()).runOnce())
        XCTAssertEqual(error.kind, .budget)
        XCTAssertTrue(error.message.hasPrefix("\(configDir)/plugins/spin.lua:2: time budget of 0.2 s exceeded"), error.message)
    }

    func testACommandReturnsItsExitCode() throws {
        XCTAssertEqual(try CommandPluginRunner.run(try loadPlugin("c1", "return { run = function(args) return #args end }"), args: ["a", "b"]), 2)
        XCTAssertEqual(try CommandPluginRunner.run(try loadPlugin("c2", "return { run = function() end }"), args: []), 0)
        XCTAssertEqual(try CommandPluginRunner.run(try loadPlugin("c3", "return { run = function() return false end }"), args: []), 1)
        XCTAssertThrowsError(try CommandPluginRunner.run(try loadPlugin("c4", "return { run = function() return 'x' end }"), args: [])) { error in
            XCTAssertTrue("\(error)".contains("c4.lua:1: run must return an exit code"), "\(error)")
        }
    }

    func testAnEditedDaemonPluginIsReloadedAndABrokenEditIsRefused() throws {
        let plugin = try loadPlugin("edit", "return { tick = function(ctx) tend.fs.write(ctx.home .. '/v', '1') end }")
        let runner = DaemonPluginRunner(plugin, daemonName: "edit", options: .init())
        XCTAssertNil(runner.runOnce())
        try writeConfig("plugins/edit.lua", "return { tick = function(ctx) tend.fs.write(ctx.home .. '/v', '2') end }")
        XCTAssertEqual(plugin.reloadIfChanged(), .reloaded(path: "\(configDir)/plugins/edit.lua"))
        XCTAssertNil(runner.runOnce())
        XCTAssertEqual(try FileSystem.readText("\(home.root)/v"), "2")
        try writeConfig("plugins/edit.lua", "return { tick = function(ctx) end")
        guard case .refused(let why) = plugin.reloadIfChanged() else { return XCTFail("a broken edit must be refused") }
        XCTAssertTrue(why.contains("edit.lua:1:"), why)
        XCTAssertEqual(plugin.reloadIfChanged(), .unchanged, "a refused version is reported once")
    }

    func testUnknownAndPathNamesAreRefused() {
        XCTAssertThrowsError(try PluginCatalog.locate("../x", paths: paths)) { error in
            XCTAssertEqual("\(error)", "'../x' is not a plugin name: give a name like 'restart', not a path")
        }
        XCTAssertThrowsError(try PluginCatalog.locate("nope", paths: paths)) { error in
            XCTAssertTrue("\(error)".hasPrefix("unknown plugin 'nope'; available: commit-daemon, context-daemon, "), "\(error)")
        }
    }
}
