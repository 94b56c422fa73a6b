import TendSystem

/// Debian's lua-check, for the lint tests: found on the PATH, run with the checkout's
/// `.luacheckrc`.
public enum Luacheck {
    /// The skip message where it is absent.
    public static let missing = "luacheck is not installed, so this Lua was not linted (Debian: apt-get install lua-check; scripts/test installs it)"

    public static var path: String? {
        let dirs = (Spawner.currentEnvironment()["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
        return dirs.map { "\($0)/luacheck" }.first(where: FileSystem.exists)
    }

    /// Runs it on `targets`, relative to `dir` (the settings' file patterns, such as
    /// `**/daemons.lua`, are matched against those paths), with `config` as settings.
    public static func run(_ luacheck: String, _ targets: [String], in dir: String, config: String) throws -> CommandRunner.Result {
        let script = "cd \"$0\" && lc=\"$1\" rc=\"$2\" && shift 2 && exec \"$lc\" --config \"$rc\" --no-color --codes \"$@\""
        return try CommandRunner.run(["/bin/sh", "-c", script, dir, luacheck, config] + targets)
    }
}
