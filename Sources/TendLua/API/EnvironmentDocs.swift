import TendCore

/// The "Environments" section of `docs/lua-api.md`: what each role's scripts see, read
/// from the tables environments.lua builds in a real Lua state, so the reference cannot
/// drift from them. Only the notes on partial functions are written by hand.
enum EnvironmentDocs {
    /// What a sandboxed name does differently from Lua's own.
    static let notes: [String: String] = [
        "load": "text chunks only; without `env` the chunk gets a sandbox table of its own",
        "collectgarbage": "`collect`, `count` and `step` only (the collector is shared by every script of the state)",
        "require": "libraries in `plugins/lib/` only, as `tend.require`",
        "io.open": "read modes (`r`, `rb`) only",
        "io.lines": "a file name is required (no standard input)",
        "coroutine.resume": "a coroutine runs under the budget of the call that resumes it (also in plugins)",
        "coroutine.wrap": "as `coroutine.resume`",
    ]

    static func section() -> String {
        guard let host = try? LuaHost(home: Home(root: "/nonexistent/tend-docs"),
                                      paths: ScriptPaths(configDir: "/nonexistent/tend-docs", shippedDir: nil)) else {
            return "## Environments\n\n(could not start Lua to list them)\n"
        }
        let s = host.vm.stack
        host.layer.pushBase(.sandbox, s)
        let sandbox = s.top
        host.layer.pushBase(.full, s)
        let full = s.top
        defer { s.pop(2) }

        var plain: [String] = []
        var seen: [String] = []
        var missing: [String] = []
        let tendMissing = nestedMissing(s, sandbox: sandbox, full: full, table: "tend", sub: "daemons")
        for key in s.keys(full).sorted() where key != "_G" {
            s.rawGet(full, key)
            let fullValue = s.top
            s.rawGet(sandbox, key)
            let sandboxValue = s.top
            defer { s.pop(2) }
            if s.isNil(at: sandboxValue) { missing.append("`\(key)`"); continue }
            guard s.isTable(at: sandboxValue), s.isTable(at: fullValue) else {
                if let note = notes[key] { seen.append("`\(key)`: \(note)") } else { plain.append("`\(key)`") }
                continue
            }
            let have = Set(s.keys(sandboxValue)), all = Set(s.keys(fullValue))
            let lacking = all.subtracting(have).sorted()
            for name in lacking { missing.append("`\(key).\(name)`") }
            let partial = have.sorted().filter { notes["\(key).\($0)"] != nil }.map { "`\(key).\($0)`: \(notes["\(key).\($0)"]!)" }
            var text = lacking.isEmpty ? "all of it" : have.sorted().joined(separator: ", ")
            if key == "tend" && !tendMissing.isEmpty {
                text = "all of it but the calls that make the monitor act (\(tendMissing.map { "`\($0)`" }.joined(separator: ", ")))"
            }
            if !partial.isEmpty { text += "; " + partial.joined(separator: "; ") }
            seen.append("`\(key)`: \(text)")
        }
        for name in tendMissing { missing.append("`\(name)`") }

        return """
        ## Environments

        Every script runs in a global table of its own, over the environment of its role. The
        lists below are read from those environments (Sources/TendLua/lua/environments.lua).

        ### Restart policies, health checks and daemons.lua: the sandbox

        They run in the script worker, beside every other daemon's scripts, so nothing in them
        may end, block or replace that process, write files outside `tend.fs`, or load code
        from outside the script search path; a call of something that is not there is an
        error at your `file:line` (`attempt to call a nil value (field 'exit')`). They see:

        - \(plain.joined(separator: ", "))
        \(seen.map { "- \($0)" }.joined(separator: "\n"))

        Not there: \(missing.joined(separator: ", ")).

        ### Plugins and the startup sequence: Lua's whole library

        They run in processes of their own (`tend run NAME`, `tend startup`), which they may
        end or block without harm to the monitor, and keep Lua's whole standard library,
        `os.execute`, `io.popen` and C modules included. Their `require` also finds
        `plugins/lib/NAME.lua` (a `package.searchers` entry), and their `tend` has every
        function of this reference.

        """
    }

    /// `tend.daemons.start`, …: the functions of `table.sub` the sandbox leaves out.
    private static func nestedMissing(_ s: LuaStack, sandbox: Int32, full: Int32, table: String, sub: String) -> [String] {
        s.rawGet(sandbox, table)
        s.rawGet(-1, sub)
        s.rawGet(full, table)
        s.rawGet(-1, sub)
        defer { s.pop(4) }
        guard s.isTable(at: -1), s.isTable(at: -3) else { return [] }
        return Set(s.keys(-1)).subtracting(s.keys(-3)).sorted().map { "\(table).\(sub).\($0)" }
    }
}
