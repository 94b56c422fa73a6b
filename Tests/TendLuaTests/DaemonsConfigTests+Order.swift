import XCTest
import TendCore
@testable import TendLua

/// `after`, `ready_timeout`, `env_file` and `limits` in daemons.lua.
extension DaemonsConfigTests {
    func testNewKeysBecomeSpecFieldsWithDefaults() throws {
        try writeConfig("env/web.env", "PORT=8080\n")
        let config = try load("""
            daemon "db" { command = {"/bin/true"} }
            daemon "web" { command = {"/bin/true"}, after = { "db" }, ready_timeout = 5,
                           env_file = "env/web.env", limits = { nofile = 4096, nproc = 64, core = 0, memory_mb = 512 } }
            """)
        XCTAssertEqual(config.problems, [])
        let db = config.specs[0], web = config.specs[1]
        XCTAssertEqual(db.after, [])
        XCTAssertEqual(db.readyTimeout, 60)
        XCTAssertNil(db.envFile)
        XCTAssertTrue(db.limits.isEmpty)
        XCTAssertEqual(web.after, ["db"])
        XCTAssertEqual(web.readyTimeout, 5)
        XCTAssertEqual(web.envFile, "\(configDir)/env/web.env", "relative to the folder of daemons.lua")
        XCTAssertEqual(web.limits, ResourceLimits(nofile: 4096, nproc: 64, core: 0, memoryMB: 512))
    }

    func testUnknownNamesAndCyclesAreErrorsAtTheDeclarationLine() throws {
        let config = try load("""
            daemon "db" { command = {"/bin/true"} }
            daemon "web" { command = {"/bin/true"}, after = { "dbb" } }
            daemon "a" { command = {"/bin/true"}, after = { "b" } }
            daemon "b" { command = {"/bin/true"}, after = { "a", "db" } }
            daemon "self" { command = {"/bin/true"}, after = { "self" } }
            """)
        let file = "\(configDir)/daemons.lua"
        XCTAssertEqual(config.problems.map(\.description), [
            "\(file):5: daemon 'self': 'after' names the daemon itself",
            "\(file):2: daemon 'web': 'after' names 'dbb', which is not declared; did you mean 'db'?",
            "\(file):3: daemon 'a': 'after' makes a cycle: a -> b -> a (none of them could start)",
        ])
        XCTAssertEqual(config.specs.map(\.name), ["db"], "daemons with problems are left out")
    }

    func testWrongValuesAreListedEach() throws {
        let config = try load("""
            daemon "a" { command = {"/bin/true"}, after = "db" }
            daemon "b" { command = {"/bin/true"}, after = { 1, "../x" }, ready_timeout = 0 }
            daemon "c" { command = {"/bin/true"}, limits = { nofile = 0, nproc = 1.5, core = -1, memory_mb = "1G", cpu = 1 } }
            daemon "d" { command = {"/bin/true"}, limits = 4096, env_file = 7 }
            """)
        let has = problemChecker(config)
        has(1, "'after' must be a list of daemon names")
        has(2, "'after'[1] must be a daemon name, got")
        has(2, "'after'[2]: daemon name '../x' cannot start with '.'")
        has(2, "'ready_timeout' must be a positive number")
        has(3, "'limits.nofile' must be a whole number > 0, got 0")
        has(3, "'limits.nproc' must be a whole number > 0, got 1.5")
        has(3, "'limits.core' must be a whole number >= 0, got -1")
        has(3, "'limits.memory_mb' must be a whole number > 0 and <=")
        has(3, "unknown key 'limits.cpu' (known keys: nofile, nproc, core, memory_mb)")
        has(4, "'limits' must be a table")
        has(4, "'env_file' must be a string")
        XCTAssertEqual(config.specs, [])
    }

    func testAMissingOrBadEnvFileIsAnErrorNamingIt() throws {
        let bad = try writeConfig("bad.env", "GOOD=1\nnot a line\n")
        let config = try load("""
            daemon "a" { command = {"/bin/true"}, env_file = "/nonexistent/a.env" }
            daemon "b" { command = {"/bin/true"}, env_file = "bad.env" }
            daemon "c" { command = {"/bin/true"}, after = { "a" } }
            """)
        XCTAssertEqual(config.problems.map(\.description), [
            "\(configDir)/daemons.lua:1: daemon 'a': env_file: /nonexistent/a.env: env_file does not exist",
            "\(bad):2: 'not a line' is not KEY=VALUE (env_file of daemon 'b')",
        ])
        XCTAssertEqual(config.specs.map(\.name), ["c"], "'a' is declared, so naming it is no second problem")
    }

    func testSpecsWithoutTheNewKeysStillDecode() throws {
        // A spec encoded before these fields existed (as another process may hold it).
        let old = #"{"name":"x","run":{"command":{"_0":["/bin/true"]}},"environment":{},"stopTimeout":10,"restart":{"maxPerHour":3,"cooldown":60},"policy":"restart","declaredAt":"f:1"}"#
        let spec = try RecordCoding.decode(DaemonSpec.self, from: old)
        XCTAssertEqual(spec, DaemonSpec(name: "x", run: .command(["/bin/true"]), declaredAt: "f:1"))
        let again = try RecordCoding.decode(DaemonSpec.self, from: RecordCoding.encode(
            DaemonSpec(name: "y", run: .plugin("p"), after: ["x"], readyTimeout: 3, envFile: "/e", limits: ResourceLimits(core: 0))))
        XCTAssertEqual(again.after, ["x"])
        XCTAssertEqual(again.limits.core, 0)
    }
}
