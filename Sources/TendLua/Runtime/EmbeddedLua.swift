import CLuaScripts

/// The Lua files compiled into the binary (`Sources/TendLua/lua/`, and the shipped
/// `policies/restart.lua` as the built-in policy): the part of the host written in Lua,
/// where users can read it. Embedded by the C target `CLuaScripts`.
enum EmbeddedLua: String, CaseIterable {
    case history = "history.lua"
    case collector = "collector.lua"
    case require = "require.lua"
    case environments = "environments.lua"
    case restartPolicy = "restart.lua"

    /// The file's bytes (static storage: valid for the life of the process).
    var bytes: UnsafeBufferPointer<UInt8> {
        var size = 0
        let start = tend_lua_script(rawValue, &size)
        return UnsafeBufferPointer(start: start, count: start == nil ? 0 : size)
    }

    /// Messages about these files read `[tend] history.lua:12: …`, so they are never
    /// mistaken for a user's file; the built-in policy names the file it was built from.
    var chunkname: String {
        self == .restartPolicy ? "=[built-in] policies/restart.lua" : "=[tend] \(rawValue)"
    }
}
