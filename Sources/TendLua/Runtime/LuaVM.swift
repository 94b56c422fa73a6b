#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CLuaShim
import TendSystem

/// One Lua state (one per process role), used from one thread. It owns the state and
/// closes it on deinit; every call into Lua is a protected call with a traceback handler
/// and a time budget, so a Lua error comes back as a `LuaError`, never as a longjmp.
public final class LuaVM {
    public let stack: LuaStack
    var L: OpaquePointer { stack.L }

    /// Seconds a call may run before the budget stops it (0 disables). Policies and health
    /// checks use 1 s; plugin processes run without a budget.
    public var defaultBudget: Double

    /// Kept alive as long as the state: Lua closures point at them.
    private var hostFunctions: [LuaHostFunction] = []
    /// Files compiled here, to restore full paths in messages where Lua shortened them to
    /// `...tail/of/path.lua` (it keeps at most 60 bytes of a chunk name).
    private var chunkPaths: Set<String> = []
    /// Calls in progress (a host function calling back into Lua): only the outermost
    /// call owns the budget.
    private var depth = 0
    /// The memory cap of this state, in bytes (0: none).
    public let memoryLimit: Int

    /// `libraries`: `.all` for hosts (each script environment then picks what it sees),
    /// `.policy` for the built-in policy's small state. `memoryLimit`: bytes the state may
    /// hold (default: `TEND_LUA_MEMORY_MB`, else 64 MiB; 0: no cap).
    public init(budget: Double = 1, libraries: Libraries = .all, memoryLimit: Int = LuaVM.configuredMemoryLimit) throws {
        precondition(luaDispatchInstalled)
        guard let L = tend_lua_newstate(libraries.c) else {
            throw LuaError(kind: .runtime, message: "cannot create a Lua state (out of memory)")
        }
        stack = LuaStack(L)
        defaultBudget = budget
        self.memoryLimit = max(0, memoryLimit)
        tend_lua_set_memory_limit(L, self.memoryLimit)
    }

    /// The default memory cap per Lua state.
    public static let defaultMemoryLimit = 64 << 20

    /// `TEND_LUA_MEMORY_MB` (whole MiB; 0 turns the cap off), else 64 MiB.
    public static let configuredMemoryLimit: Int = memoryLimit(Environment.current["TEND_LUA_MEMORY_MB"])

    static func memoryLimit(_ text: String?) -> Int {
        guard let text, let mb = Int(text), mb >= 0, mb < 1 << 20 else { return defaultMemoryLimit }
        return mb << 20
    }

    /// Bytes the state holds now.
    public var memoryUsed: Int { tend_lua_memory_used(L) }

    /// Set when a call failed holding much memory (the cap, a deep recursion).
    private var needsCollection = false

    /// Gives back what a failed runaway call left, if one did: full collections until no
    /// more comes back (the worker calls this once its reply is written).
    public func collectIfNeeded() {
        guard needsCollection, depth == 0 else { return }
        needsCollection = false
        tend_lua_collect_garbage(L)
    }

    /// Keeps the innermost Lua frame's `file:line` while a budgeted call runs (a call +
    /// count hook): in messages about memory and budgets, and in `where` for a supervisor.
    public var tracksLocation = false {
        didSet { tend_lua_track_where(L, tracksLocation ? 1 : 0) }
    }

    /// Where the last location is kept: the state's own buffer by default, or `buffer`
    /// (`size` bytes, at least 64; the caller keeps it alive), e.g. a shared mapping.
    public func keepLocation(in buffer: UnsafeMutablePointer<CChar>?, size: Int) {
        tend_lua_set_where(L, buffer, size)
    }

    /// The innermost Lua frame the hook saw in the running (or last) call, or nil.
    public var location: String? {
        guard let p = tend_lua_where(L), p.pointee != 0 else { return nil }
        return String(cString: p)
    }

    deinit {
        // Close first: finalizers may still run Lua, and the host function boxes must
        // outlive every closure that points at them (they are released after this).
        tend_lua_close(L)
    }

    public enum Libraries {
        case all, policy
        var c: tend_lua_libs { self == .all ? TEND_LUA_LIBS_ALL : TEND_LUA_LIBS_POLICY }
    }

    // MARK: Loading

    /// Compiles a file (chunk name `@path`, so errors read `path:line: …`) into a function.
    public func compile(file path: String) throws -> LuaRef {
        try load(file: path)
        return stack.ref()
    }

    /// Compiles a file and pushes its main chunk (nothing is pushed when it throws). A file
    /// others could have written is refused (`ScriptFileSafety`).
    func load(file path: String) throws {
        let bytes: [UInt8]
        do { bytes = try FileSystem.readBytes(path) { try ScriptFileSafety.check($0, path: path) } } catch let e as SystemError {
            throw LuaError.at(path, kind: e.code == ENOENT ? .notFound : .runtime, "cannot read: \(e)")
        }
        chunkPaths.insert(path)
        try LuaVM.blankingShebang(bytes).withUnsafeBytes { try load($0, chunkname: "@\(path)") }
    }

    /// Compiles source text; `chunkname` is `@file` for file-like messages or `=name`.
    public func compile(source: String, chunkname: String) throws -> LuaRef {
        try Array(source.utf8).withUnsafeBytes { try load($0, chunkname: chunkname) }
        return stack.ref()
    }

    /// Compiles one of the Lua files compiled into the binary.
    func compile(_ script: EmbeddedLua) throws -> LuaRef {
        try load(UnsafeRawBufferPointer(script.bytes), chunkname: script.chunkname)
        return stack.ref()
    }

    private func load(_ bytes: UnsafeRawBufferPointer, chunkname: String) throws {
        let status = tend_lua_load(L, bytes.baseAddress?.assumingMemoryBound(to: CChar.self), bytes.count, chunkname)
        guard status == LUA_OK else {
            let error = makeError(status: status, budgetExceeded: false, budget: 0)
            stack.pop()
            throw error
        }
    }

    /// A `#!` first line is not Lua; blank it so line numbers stay right.
    static func blankingShebang(_ bytes: [UInt8]) -> [UInt8] {
        guard bytes.first == UInt8(ascii: "#") else { return bytes }
        var out = bytes
        var i = 0
        while i < out.count && out[i] != UInt8(ascii: "\n") { out[i] = UInt8(ascii: " "); i += 1 }
        return out
    }

    /// Runs a compiled chunk with `env` as its globals; returns its first result.
    public func run(chunk: LuaRef, environment env: LuaRef, budget: Double? = nil) throws -> LuaRef {
        try call(budget: budget, results: 1, push: { s in
            s.push(chunk)
            s.push(env)
            _ = tend_lua_set_env(s.L, -2)
            return 0
        }, read: { s, first in
            s.setTop(first)
            return s.ref()
        })
    }

    // MARK: Calling

    /// Calls into Lua: `push` pushes the function and its arguments and returns the number
    /// of arguments; `read` sees the results starting at index `first`. The stack is left
    /// as it was. `budget` nil uses `defaultBudget`.
    public func call<T>(budget: Double? = nil, results: Int32,
                        push: (LuaStack) throws -> Int32,
                        read: (LuaStack, _ first: Int32) throws -> T) throws -> T {
        let base = stack.top
        defer { stack.setTop(base) }
        let nargs = try push(stack)
        let seconds = budget ?? defaultBudget
        let outermost = depth == 0
        if outermost { collectIfNeeded() }
        if outermost { tend_lua_set_budget(L, seconds) }
        depth += 1
        var status = tend_lua_pcall_traceback(L, nargs, results)
        depth -= 1
        let exceeded = tend_lua_budget_exceeded(L) != 0
        if status == LUA_OK && exceeded && outermost {
            // A host call blocked past the deadline and the script returned right after
            // it: still an overrun (a check that slept its budget away is not healthy).
            stack.push("time budget exceeded")
            status = LUA_ERRRUN
        }
        defer { if outermost { tend_lua_set_budget(L, 0) } }
        guard status == LUA_OK else {
            let error = makeError(status: status, budgetExceeded: exceeded, budget: seconds)
            // What a runaway script built (a big table, a deep stack) is garbage now: it is
            // given back before the next call (`collectIfNeeded`), not on this one's time.
            if outermost, status == LUA_ERRMEM || memoryUsed > memoryLimit / 4 { needsCollection = true }
            throw error
        }
        return try read(stack, base + 1)
    }

    // MARK: Host functions and globals

    /// Pushes a Lua function that runs `body` (see `LuaHostBody`).
    public func pushHostFunction(name: String, _ body: @escaping LuaHostBody) {
        let box = LuaHostFunction(name: name, body: body)
        hostFunctions.append(box)
        tend_lua_push_host_function(L, Unmanaged.passUnretained(box).toOpaque())
    }

    /// Pops the top value into the real global table as `name`.
    public func setGlobal(_ name: String) {
        tend_lua_pushglobaltable(L)
        tend_lua_insert(L, -2)
        stack.rawSet(-2, name)
        stack.pop()
    }

    public func release(_ ref: LuaRef) { stack.unref(ref) }

    /// Runs a file of the Lua layer (trusted: it sees the real globals; no budget) with
    /// the arguments `push` pushes, and returns its first result.
    func run(_ script: EmbeddedLua, arguments push: (LuaStack) -> Int32 = { _ in 0 }) throws -> LuaRef {
        let chunk = try compile(script)
        defer { release(chunk) }
        return try call(budget: 0, results: 1, push: { s in s.push(chunk); return push(s) },
                        read: { s, first in s.setTop(first); return s.ref() })
    }

    /// Calls trusted host Lua (no budget): `push` pushes the function and its arguments
    /// and returns the number of arguments; the first `results` results are kept.
    func callTrusted(results: Int32, push: (LuaStack) -> Int32) throws -> [LuaRef] {
        try call(budget: 0, results: results, push: push, read: { s, first in
            (0..<results).map { i in s.push(index: first + i); return s.ref() }
        })
    }

    // MARK: Errors

    /// Turns the error value on top (message + traceback from the handler) into a LuaError.
    func makeError(status: Int32, budgetExceeded: Bool, budget: Double) -> LuaError {
        let raw = stack.string(at: -1) ?? "(error object is a \(stack.typeName(at: -1)) value)"
        var message = raw
        var traceback = ""
        if let r = raw.firstRange(of: "\nstack traceback:") {
            message = String(raw[..<r.lowerBound])
            traceback = String(raw[raw.index(after: r.lowerBound)...])
        }
        message = expandChunkNames(message)
        traceback = expandChunkNames(traceback)
        let kind: LuaError.Kind
        switch status {
        case LUA_ERRSYNTAX: kind = .syntax
        case _ where budgetExceeded: kind = .budget
        case LUA_ERRMEM: kind = .memory
        default: kind = .runtime
        }
        // The hook raises from inside the looping function (its line is the first Lua
        // frame of the traceback); a memory error has no traceback (Lua calls no handler
        // for it) and a host call that blocked past the deadline none either: then the
        // hook's last location says where the script was.
        let blocked = kind == .budget && tend_lua_budget_exceeded_in_host(L) != 0
        let frame = (blocked ? location : nil) ?? LuaVM.firstLuaFrame(traceback) ?? location.map(expandChunkNames)
        switch kind {
        case .budget:
            let text = blocked ? "time budget of \(LuaVM.seconds(budget)) exceeded in a call that blocked until it ran out: script stopped"
                : "time budget of \(LuaVM.seconds(budget)) exceeded (endless loop?): script stopped"
            message = frame.map { "\($0): \(text)" } ?? text
        case .memory:
            let cap = tend_lua_memory_refused(L) != 0
                ? ": the script went past the memory cap of \(memoryLimit >> 20) MiB per Lua state (TEND_LUA_MEMORY_MB)" : ""
            let text = "not enough memory\(cap)"
            message = frame.map { "\($0): \(text)" } ?? text
        default:
            if LuaError.parseLocation(message) == nil, let frame {
                // error({}) or error("x", 0): no position in the message; name the frame.
                message = "\(frame): \(message)"
            }
        }
        return LuaError(kind: kind, message: message, traceback: traceback)
    }

    /// `file:line` of the first frame of a script in a traceback (not C, not the Lua layer).
    static func firstLuaFrame(_ traceback: String) -> String? {
        for line in traceback.split(separator: "\n").dropFirst() {
            let frame = line.drop { $0 == "\t" || $0 == " " }
            if frame.hasPrefix("[C]") || frame.hasPrefix("[tend]") { continue }
            if let loc = LuaError.parseLocation(String(frame)) { return "\(loc.file):\(loc.line)" }
        }
        return nil
    }

    /// `1 s`, `0.15 s` (milliseconds at most: a budget cut to what is left of a decision's).
    static func seconds(_ s: Double) -> String {
        let ms = (s * 1000).rounded()
        return ms.truncatingRemainder(dividingBy: 1000) == 0 ? "\(Int(ms / 1000)) s" : "\(ms / 1000) s"
    }

    /// Replaces Lua's shortened `...tail.lua` chunk names with the full paths.
    func expandChunkNames(_ text: String) -> String {
        guard text.contains("...") else { return text }
        var out = ""
        var rest = Substring(text)
        while let dots = rest.firstRange(of: "...") {
            out += rest[..<dots.lowerBound]
            let after = rest[dots.upperBound...]
            let tail = after.prefix { $0 != ":" && $0 != "\n" }
            if !tail.isEmpty, let full = chunkPaths.first(where: { $0.hasSuffix(tail) }) {
                out += full
                rest = after[tail.endIndex...]
            } else {
                out += "..."
                rest = after
            }
        }
        return out + rest
    }
}
