import TendCore

/// One `daemon "NAME" { … }` as written, before validation.
struct Declaration {
    var name: String?
    /// The name as written, for messages when it is not a string.
    var nameDescription: String
    var file: String
    var line: Int
    /// The `{ … }` table, kept in the registry until read; nil when none was given.
    var body: LuaRef?
    /// What was given instead of a table (`nothing`, `a string`, …) when `body` is nil.
    var bodyDescription: String
}

/// Runs daemons.lua with a `daemon` function in its environment that records each
/// declaration and the line it was written on.
enum DeclarationCollector {
    /// In Lua: `daemon "x" { … }` is `daemon("x")({ … })`; `daemon("x", { … })` works too.
    static let source = """
    local getinfo, tostring = debug.getinfo, tostring
    local decls = {}
    local function daemon(name, body)
      local info = getinfo(2, "Sl")
      local decl = { name = name, line = info and info.currentline or 0, source = info and info.source }
      decls[#decls + 1] = decl
      if body ~= nil then decl.body, decl.given = body, true; return end
      return function(b)
        if decl.given then error("daemon " .. tostring(name) .. ": body given twice", 2) end
        decl.body, decl.given = b, true
      end
    end
    return { daemon = daemon, decls = decls }
    """

    static func run(file: String, host: LuaHost) throws -> [Declaration] {
        let vm = host.vm
        let s = vm.stack
        let collector = try vm.evaluate(source, name: "daemons.lua collector")
        defer { vm.release(collector) }
        let env = vm.newEnvironment()
        defer { vm.release(env) }
        s.push(env)
        s.push(collector)
        s.rawGet(-1, "daemon")
        s.rawSet(-3, "daemon")
        s.pop(2)

        let chunk = try vm.compile(file: file)
        defer { vm.release(chunk) }
        vm.release(try vm.run(chunk: chunk, environment: env))

        s.push(collector)
        s.rawGet(-1, "decls")
        defer { s.pop(2) }
        var result: [Declaration] = []
        for i in 0..<s.rawLength(at: -1) {
            s.rawGet(-1, i + 1)
            result.append(declaration(s, file: file))
            s.pop()
        }
        return result
    }

    /// Reads the declaration table on top of the stack.
    private static func declaration(_ s: LuaStack, file: String) -> Declaration {
        s.rawGet(-1, "name")
        let name = s.string(at: -1)
        let nameDescription = s.describeValue(at: -1)
        s.pop()
        s.rawGet(-1, "line")
        let line = Int(s.integer(at: -1) ?? 0)
        s.pop()
        s.rawGet(-1, "source")
        var declaredIn = file
        if let source = s.string(at: -1), source.hasPrefix("@") { declaredIn = String(source.dropFirst()) }
        s.pop()
        s.rawGet(-1, "given")
        let given = s.bool(at: -1) ?? false
        s.pop()
        s.rawGet(-1, "body")
        let isTable = s.isTable(at: -1)
        let bodyDescription = given ? s.describeValue(at: -1) : "nothing"
        let body: LuaRef? = isTable ? s.ref() : nil
        if !isTable { s.pop() }
        return Declaration(name: name, nameDescription: nameDescription, file: declaredIn, line: line,
                           body: body, bodyDescription: bodyDescription)
    }
}
