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
/// declaration and the line it was written on (collector.lua, in the Lua layer).
enum DeclarationCollector {
    static func run(file: String, host: LuaHost) throws -> [Declaration] {
        let vm = host.vm
        let s = vm.stack
        let made = try vm.callTrusted(results: 2) { s in s.push(host.layer.collector); return 0 }
        let (daemon, decls) = (made[0], made[1])
        defer { vm.release(daemon); vm.release(decls) }
        let env = try host.layer.newEnvironment(.sandbox)
        defer { vm.release(env) }
        s.push(env)
        s.push(daemon)
        s.rawSet(-2, "daemon")
        s.pop()

        let chunk = try vm.compile(file: file)
        defer { vm.release(chunk) }
        let returned = try vm.run(chunk: chunk, environment: env)
        s.push(returned)
        let returnedValue = !s.isNil(at: -1)
        s.pop()
        vm.release(returned)

        s.push(decls)
        defer { s.pop() }
        var result: [Declaration] = []
        for i in 0..<s.rawLength(at: -1) {
            s.rawGet(-1, i + 1)
            result.append(declaration(s, file: file))
            s.pop()
        }
        // A file that returns its daemons as a table (as policies return theirs) would
        // otherwise declare none without a word.
        if result.isEmpty && returnedValue { throw ReturnedInsteadOfDeclared() }
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

/// daemons.lua returned a value and called `daemon` for none.
struct ReturnedInsteadOfDeclared: Error, CustomStringConvertible {
    var description: String {
        "the file returned a value but declared no daemon: declare each one with daemon \"name\" { command = { … } } (daemons.lua returns nothing)"
    }
}
