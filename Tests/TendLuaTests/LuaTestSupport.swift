import XCTest
import TendCore
import TendSystem
import TendTestSupport
@testable import TendLua
#if canImport(Glibc)
import Glibc
#endif

/// A temporary config dir + home per test, the repo's shipped scripts, and helpers to
/// write scripts and make hosts. Subclasses call `super.setUp/tearDown`.
class LuaTestCase: XCTestCase {
    var root = ""
    var configDir: String { "\(root)/config" }
    var home: Home { Home(root: "\(root)/home") }
    /// Problems reported through ScriptProblemReporter during the test.
    var reported: [String] = []

    /// The checkout's top level (policies/, config/ are shipped from there).
    static let repoRoot = Checkout.root

    override func setUp() {
        super.setUp()
        root = "/tmp/tend-lua-test-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        XCTAssertNoThrow(try FileSystem.makeDirectory("\(configDir)/policies/health", mode: 0o700))
        XCTAssertNoThrow(try FileSystem.makeDirectory("\(configDir)/plugins", mode: 0o700))
        XCTAssertNoThrow(try home.prepare())
        reported = []
    }

    override func tearDown() {
        removeTree(root)
        super.tearDown()
    }

    /// Search path: the test's config dir, then the repo (shipped scripts).
    var paths: ScriptPaths { ScriptPaths(configDir: configDir, shippedDir: Self.repoRoot) }
    /// Search path without the shipped scripts.
    var userOnlyPaths: ScriptPaths { ScriptPaths(configDir: configDir, shippedDir: nil) }

    func makeHost(paths: ScriptPaths? = nil, budget: Double = 1) throws -> LuaHost {
        try LuaHost(home: home, paths: paths ?? self.paths, logName: "lua-test", budget: budget)
    }

    var reporter: ScriptProblemReporter { { [unowned self] in self.reported.append($0) } }

    /// Writes `text` at `relative` under the config dir and returns the full path. Each
    /// write gets a new mtime even within one clock tick (the inode changes: rename).
    @discardableResult
    func writeConfig(_ relative: String, _ text: String) throws -> String {
        let path = "\(configDir)/\(relative)"
        try FileSystem.makeDirectory(FileSystem.parentDirectory(of: path), mode: 0o700)
        try FileSystem.writeAtomically(path, text: text)
        return path
    }

    /// Runs a Lua snippet in a fresh environment of `host` and returns its result as data.
    func eval(_ host: LuaHost, _ source: String, file: String = "snippet.lua") throws -> JSONValue {
        let path = try writeConfig(file, source)
        let script = try host.vm.compile(file: path)
        defer { host.vm.release(script) }
        let env = host.vm.newEnvironment()
        defer { host.vm.release(env) }
        let result = try host.vm.run(chunk: script, environment: env)
        defer { host.vm.release(result) }
        host.vm.stack.push(result)
        defer { host.vm.stack.pop() }
        return try host.vm.stack.json(at: -1)
    }

    func removeTree(_ path: String) {
        guard !path.isEmpty, path.hasPrefix("/tmp/") else { return }
        if FileSystem.isDirectory(path) {
            for name in (try? FileSystem.list(path)) ?? [] { removeTree("\(path)/\(name)") }
            rmdir(path)
        } else {
            unlink(path)
        }
    }
}
