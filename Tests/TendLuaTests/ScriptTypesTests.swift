import XCTest
import TendCore
import TendSystem
@testable import TendLua

/// The documented shapes (ScriptTypes, hence docs/tend.meta.lua) are the ones the host
/// really builds and reads: each test compares a shape's fields with the keys of the
/// table Lua gets, or with the keys the host accepts.
final class ScriptTypesTests: LuaTestCase {
    /// The field names of a documented type (`name?` as `name`; `[integer]: …` left out).
    func documented(_ type: String, file: StaticString = #filePath, line: UInt = #line) -> Set<String> {
        guard let spec = (ScriptTypes.types + TendAPI.types).first(where: { $0.name == type }) else {
            XCTFail("no documented type \(type)", file: file, line: line)
            return []
        }
        return Set(spec.fields.map { APIDocs.nameAndType(APIDocs.split($0).0).name }
            .filter { !$0.hasPrefix("[") }
            .map { $0.hasSuffix("?") ? String($0.dropLast()) : $0 })
    }

    /// The keys of the table `push` leaves on top of a fresh host's stack.
    func keys(_ push: (LuaStack) -> Void) throws -> Set<String> {
        let host = try makeHost()   // kept alive: the stack is its state's
        let s = host.vm.stack
        push(s)
        defer { s.pop() }
        return Set(s.keys(-1))
    }

    func testPolicyArgumentsAreTheDocumentedShapes() throws {
        let command = DaemonSpec(name: "a", run: .command(["/bin/true"]), workingDirectory: "/tmp")
        let plugin = DaemonSpec(name: "b", run: .plugin("p"))
        let daemon = try keys { $0.pushDaemon(command, pid: 7) }.union(try keys { $0.pushDaemon(plugin) })
        XCTAssertEqual(daemon, documented("tend.Daemon"))

        let host = try makeHost()
        let s = host.vm.stack
        s.pushDaemon(command)
        s.rawGet(-1, "restart")
        XCTAssertEqual(Set(s.keys(-1)), documented("tend.RestartLimits"))
        s.pop(2)

        var exit = ExitInfo(cause: .killed, code: 1, signal: 9, at: 5, uptime: 2, pid: 3)
        XCTAssertEqual(try keys { $0.pushExit(exit) }, documented("tend.Exit"))
        exit.code = nil
        s.pushExit(exit)
        s.rawGet(-1, "signal")
        XCTAssertEqual(s.string(at: -1), "SIGKILL", "a signal is its name, as in tend.process.run's result")
        s.pop(2)

        let meta = host.layer.historyMethods
        let history = RestartHistory(events: [RestartEvent(time: 1, reason: "r", oldPID: 1, newPID: 2, success: true)])
        host.vm.stack.pushHistory(history, meta: meta)
        host.vm.stack.rawGet(-1, 1)
        XCTAssertEqual(Set(host.vm.stack.keys(-1)), documented("tend.HistoryEvent"))
        host.vm.stack.pop(2)
        host.vm.stack.push(meta)
        let methods = Set(host.vm.stack.keys(-1)).subtracting(["__index"])
        host.vm.stack.pop()
        XCTAssertEqual(methods, documented("tend.History"))
    }

    func testDecisionAndScriptTablesAreTheOnesTheHostReads() {
        XCTAssertEqual(Set(DecisionReader.keys), documented("tend.Decision"))
        XCTAssertEqual(Set(ScriptShape.policy.functions), documented("tend.Policy"))
        XCTAssertEqual(Set(ScriptShape.health.functions + ScriptShape.health.numbers), documented("tend.HealthCheck"))
        XCTAssertEqual(documented("tend.CommandPlugin"), ["run", "summary"], "the keys PluginShape reads of a command plugin")
    }

    func testRecordsGivenToLuaAsJSONAreTheDocumentedShapes() throws {
        let health = HealthResult(.unknown, reason: "r", at: 1)
        XCTAssertEqual(try keys { $0.push(health) }, documented("tend.HealthResult"))
        var status = DaemonStatus.read("d", home: home, tracker: PidTracker(home: home))
        (status.pid, status.uptimeSeconds, status.lastExit, status.lastExitAt) = (1, 1, "x", 1)
        (status.reason, status.nextAttemptAt, status.health, status.ready) = ("r", 1, health, true)
        XCTAssertEqual(try keys { $0.push(status) }, documented("tend.DaemonStatus"))
    }

    func testPluginContextIsTheDocumentedShape() throws {
        try writeConfig("plugins/ctx.lua", """
            return { tick = function(ctx)
              local names = {}
              for k in pairs(ctx) do names[#names + 1] = k end
              table.sort(names)
              tend.fs.write(ctx.home .. "/ctx-keys", table.concat(names, ","))
            end }
            """)
        let plugin = try LoadedPlugin(name: "ctx", paths: paths, home: home, logName: "ctx")
        XCTAssertNil(DaemonPluginRunner(plugin, daemonName: "ctx", options: .init(interval: 5)).runOnce())
        let seen = try FileSystem.readText("\(home.root)/ctx-keys").split(separator: ",").map(String.init)
        XCTAssertEqual(Set(seen), documented("tend.PluginContext"))
    }

    func testStartupContextIsTheDocumentedShape() throws {
        try writeConfig("plugins/startup.lua", """
            return { title = "t", steps = { { title = "keys", run = function(ctx)
              local names = {}
              for k in pairs(ctx) do names[#names + 1] = k end
              table.sort(names)
              return "ok", table.concat(names, ",")
            end } } }
            """)
        let outcome = try StartupSequence(home: home, paths: paths, projectDir: root).run(step: 1)
        XCTAssertEqual(outcome.status, .ok, outcome.message)
        XCTAssertEqual(Set(outcome.message.split(separator: ",").map(String.init)), documented("tend.StartupContext"))
    }

    func testTheDSLTypesEveryKeyDaemonsLuaAccepts() {
        let declared = documented("tend.DaemonDeclaration")
        XCTAssertEqual(Set(DaemonBodyReader.keys).subtracting(declared), [], "keys daemons.lua accepts but the stubs do not type")
        XCTAssertEqual(ScriptTypes.dsl.map(\.name), ["daemon"])
        XCTAssertTrue(APIDocs.luaMeta().contains("---@return fun(declaration: tend.DaemonDeclaration)\n"))
    }

    func testSignalAliasListsEveryNamedSignal() throws {
        let alias = try XCTUnwrap(ScriptTypes.aliases.first { $0.name == "tend.Signal" })
        for name in Signal.names { XCTAssertTrue(alias.type.contains("\"\(name)\""), name) }
        XCTAssertEqual(Signal(parsing: "SIGSEGV")?.number, 11)
        XCTAssertEqual(Signal(parsing: Signal(40).name), Signal(40), "a name Tend prints reads back")
    }
}
