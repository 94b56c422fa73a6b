/// Generates `docs/lua-api.md` and `docs/tend.meta.lua` from `TendAPI`. Tests compare
/// the committed files with this output; `TEND_UPDATE_DOCS=1 swift test --filter APIDocsTests`
/// rewrites them.
public enum APIDocs {
    static let intro = """
    # The `tend` Lua API

    <!-- Generated from Sources/TendLua/API (TendAPI.functions). Do not edit by hand:
         TEND_UPDATE_DOCS=1 swift test --filter APIDocsTests rewrites it. -->

    Every Lua state Tend creates has a global `tend` (also `require("tend")`). Scripts are
    found by name, the user's config dir first (`~/.config/tend`), then the scripts shipped
    with Tend; a name is never a path. Each script runs in its own global table and returns
    a table:

    | Script | Returns |
    |---|---|
    | `policies/NAME.lua` | `{ decide = function(daemon, exit, history, now) return { action = "restart" \\| "wait" \\| "stay_down", delay = s, reason = "…" } end }` |
    | `policies/health/NAME.lua` | `{ check = function(daemon, args) return ok, reason end, interval = s?, timeout = s? }` |
    | `plugins/NAME.lua` (a command: `tend run NAME ARGS…`) | `{ run = function(args) … return code end, summary = "…"? }` |
    | `plugins/NAME.lua` (a daemon: `tend run NAME`, or `plugin = "NAME"` in daemons.lua) | `{ tick = function(ctx) … end, interval = s?, setup = function(ctx)?, budget = s?, summary = "…"? }` with ctx = `{ home, name, state, args, interval, ticks }` |
    | `plugins/startup.lua` (a sequence: `tend startup`) | `{ title = "…", steps = { { title = "…", run = function(ctx) return "ok" \\| "warn" \\| "fail", "message" end, budget = s? }, … } }` |
    | `plugins/lib/NAME.lua` (a library: `tend.require("NAME")`) | anything; loaded once per Lua state |

    Conventions:
    - An expected failure (a missing file, a process that is gone) returns `nil, "message"`
      (or `false, "message"` for predicates); a programming error (a wrong argument type, a
      path where a name belongs) raises an error naming your `file:line`, which `pcall` catches.
    - Policies and health checks run under a time budget (1 s unless the script or daemons.lua
      gives `timeout`); an endless loop is stopped with `file:line: time budget … exceeded`,
      and `pcall` cannot swallow that. Blocking calls (`sleep`, `run`, `tcp_probe`) never wait
      past the budget.
    - A script that fails to load, returns the wrong shape or fails when called is reported
      (health.log, `tend check-config`) and the last good version stays in force.
    - Daemon plugins: each tick runs under a budget (`budget`, default 30 s); a tick that
      raises is logged with its `file:line` and the daemon carries on. Startup steps: 30 s
      unless the step gives `budget`. Commands run without a budget.
    - JSON: an empty table encodes as `{}`; one whose metatable has `__jsonarray = true`
      encodes as `[]`, and a decoded `[]` comes back as such a table.

    """

    public static func markdown() -> String {
        var out = intro + "\n"
        for (module, doc) in TendAPI.modules {
            let functions = TendAPI.functions.filter { $0.module == module }
            guard !functions.isEmpty else { continue }
            out += "## `\(module)`\n\n\(doc)\n\n"
            for f in functions {
                out += "### `\(f.signature)`\n\n\(f.doc)"
                if !f.returnDoc.isEmpty { out += " Returns \(f.returnDoc)." }
                out += "\n\n"
            }
        }
        out += "## daemons.lua\n\n"
        for f in ScriptTypes.dsl {
            out += "### `\(f.name)(\(f.params.joined(separator: ", "))) -> \(f.returns.joined(separator: ", "))`\n\n\(f.doc)"
            // `fun(a: x, b: y)` reads as `daemon(a: x, b: y)`.
            out += f.overloads.map { " Also `\(f.name)\($0.dropFirst("fun".count))`." }.joined() + "\n\n"
        }
        out += "## Types\n\n"
        for a in ScriptTypes.aliases {
            out += "### `\(a.name)`\n\n\(a.doc)\n\n`\(a.type)`\n\n"
        }
        for t in TendAPI.types + ScriptTypes.types {
            out += "### `\(t.name)`\n\n\(t.doc)\n\n"
            for field in t.fields {
                let (decl, comment) = split(field)
                out += "- `\(decl)`" + (comment.isEmpty ? "" : " — \(comment)") + "\n"
            }
            out += "\n"
        }
        return out
    }

    /// LuaLS (lua-language-server) annotations, for completion and type checks in editors.
    public static func luaMeta() -> String {
        var out = """
        ---@meta tend
        -- LuaLS annotations for Tend's `tend` module, the daemons.lua DSL and the tables
        -- scripts receive and return (annotate yours with `---@type tend.Policy` and the
        -- like). Generated from Sources/TendLua/API (TendAPI, ScriptTypes); do not edit.
        -- Put this file on your workspace library path.

        """
        for a in ScriptTypes.aliases {
            out += "\n---\(a.doc)\n---@alias \(a.name) \(a.type)\n"
        }
        for t in TendAPI.types + ScriptTypes.types {
            out += "\n---\(t.doc)\n---@class \(t.name)\n"
            for field in t.fields {
                let (decl, comment) = split(field)
                let (name, type) = nameAndType(decl)
                out += "---@field \(name) \(type)" + (comment.isEmpty ? "" : " \(comment)") + "\n"
            }
        }
        out += "\n---@class tend\ntend = {}\n"
        for (module, doc) in TendAPI.modules where module != "tend" {
            out += "\n---\(doc)\n\(module) = {}\n"
        }
        for f in ScriptTypes.dsl {
            out += function(f.name, doc: f.doc, params: f.params, returns: f.returns, overloads: f.overloads)
        }
        for f in TendAPI.functions {
            out += function(f.qualifiedName, doc: f.doc, params: f.params, returns: f.returns)
        }
        return out
    }

    /// One function's LuaLS stub: its doc, `@param`s, `@return`s and an empty body.
    static func function(_ name: String, doc: String, params: [String], returns: [String], overloads: [String] = []) -> String {
        var out = "\n---\(doc)\n"
        for p in params {
            let (param, type) = nameAndType(p)
            out += "---@param \(param) \(type)\n"
        }
        for r in returns { out += "---@return \(r)\n" }
        for o in overloads { out += "---@overload \(o)\n" }
        let names = params.map { nameAndType($0).name.replacingOptionalMark() }
        return out + "function \(name)(\(names.joined(separator: ", "))) end\n"
    }

    /// `"name: type -- comment"` → (`"name: type"`, `"comment"`).
    static func split(_ field: String) -> (String, String) {
        guard let r = field.firstRange(of: " -- ") else { return (field, "") }
        return (String(field[..<r.lowerBound]), String(field[r.upperBound...]))
    }

    /// `"start_time?: integer"` → (`"start_time?"`, `"integer"`).
    static func nameAndType(_ decl: String) -> (name: String, type: String) {
        guard let colon = decl.firstIndex(of: ":") else { return (decl, "any") }
        let name = decl[..<colon]
        let type = decl[decl.index(after: colon)...].drop { $0 == " " }
        return (String(name), String(type))
    }
}

private extension String {
    func replacingOptionalMark() -> String { hasSuffix("?") ? String(dropLast()) : self }
}
