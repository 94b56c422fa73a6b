#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import TendSystem

/// Scripts are code Tend runs as you. Like ssh and sudo, it refuses a file that someone
/// else could have written: group- or world-writable, or owned by another user (neither
/// root nor you). Checked on the descriptor the file is read from, for every script file
/// any Lua state compiles (policies, checks, daemons.lua, plugins, libraries).
enum ScriptFileSafety {
    static func check(_ info: FileSystem.Info, path: String, user: UInt32 = geteuid()) throws {
        let writable = info.mode & 0o022
        if writable != 0 {
            let who = writable & 0o002 != 0 ? "world-writable" : "group-writable"
            throw LuaError.at(path, kind: .unsafe,
                              "not loaded: the file is \(who) (mode \(String(info.mode & 0o7777, radix: 8))), so another user could change what Tend runs; fix: chmod go-w \(path)")
        }
        if info.owner != 0 && info.owner != user {
            throw LuaError.at(path, kind: .unsafe,
                              "not loaded: the file belongs to uid \(info.owner), neither root nor you (uid \(user)); fix: chown \(user) \(path), or remove it")
        }
    }
}
