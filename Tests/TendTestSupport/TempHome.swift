import TendSystem
#if canImport(Glibc)
import Glibc
#endif

/// A throw-away TEND_HOME and config dir for one test; `cleanUp()` stops every process
/// recorded in it (by PID, identity verified) and removes the folders.
public final class TempHome {
    public let root: String
    public var home: String { "\(root)/home" }
    public var config: String { "\(root)/config" }

    public init(function: String = #function) throws {
        let base = "/tmp/tend-test-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        root = base
        try FileSystem.makeDirectory("\(root)/config/policies/health", mode: 0o700)
        try FileSystem.makeDirectory("\(root)/config/plugins", mode: 0o700)
    }

    public var environment: [String: String] {
        var env = Spawner.currentEnvironment()
        env["TEND_HOME"] = home
        env["TEND_CONFIG_DIR"] = config
        env["NO_COLOR"] = "1"
        return env
    }

    /// Writes the user's daemons.lua.
    public func writeDaemons(_ lua: String) throws {
        try FileSystem.writeAtomically("\(config)/daemons.lua", text: lua)
    }

    public func write(_ relativePath: String, _ text: String) throws {
        let path = "\(root)/\(relativePath)"
        try FileSystem.makeDirectory(FileSystem.parentDirectory(of: path), mode: 0o700)
        try FileSystem.writeAtomically(path, text: text)
    }

    /// PIDs recorded in the home: daemons (identity records) and the monitor.
    public func recordedProcesses() -> [ProcessIdentity] {
        var result: [ProcessIdentity] = []
        for file in (try? FileSystem.list("\(home)/.state")) ?? [] where file.hasSuffix(".json") {
            guard let text = try? FileSystem.readText("\(home)/.state/\(file)") else { continue }
            if let identity = Self.identity(inStateJSON: text) { result.append(identity) }
        }
        // Tend's own processes (the monitor, the log writer): `.run/NAME.json`.
        for file in (try? FileSystem.list("\(home)/.run")) ?? [] where file.hasSuffix(".json") {
            guard let text = try? FileSystem.readText("\(home)/.run/\(file)"),
                  let pid = Self.number(after: "pid", in: Substring(text)),
                  let start = Self.number(after: "start_time", in: Substring(text)) else { continue }
            result.append(ProcessIdentity(pid: Int32(pid), startTime: start))
        }
        return result
    }

    /// Extracts `"process": {"pid": N, "startTime": M}` without depending on TendCore.
    static func identity(inStateJSON text: String) -> ProcessIdentity? {
        guard let range = text.range(of: "\"process\"") else { return nil }
        let tail = text[range.upperBound...].prefix(200)
        guard let pid = number(after: "pid", in: tail), let st = number(after: "startTime", in: tail) else { return nil }
        return ProcessIdentity(pid: Int32(pid), startTime: st)
    }

    public static func number(after key: String, in text: Substring) -> UInt64? {
        guard let r = text.range(of: "\"\(key)\"") else { return nil }
        let digits = text[r.upperBound...].drop { !$0.isNumber }.prefix { $0.isNumber }
        return UInt64(digits)
    }

    /// Kills whatever carries `home` in its environment (the monitor and the log writer
    /// started for it, the script workers, daemons and descendants that left their group);
    /// returns them, to wait for.
    @discardableResult
    public static func killEverything(startedFor home: String) -> [ProcessIdentity] {
        let tagged = ProcessTable.processes(withEnvironment: "TEND_HOME=\(home)", reporting: "TEND_DAEMON").map(\.process.identity)
        for p in tagged { Signals.send(.kill, to: p) }
        return tagged
    }

    /// Stops the monitor first (so it restarts nothing), then every daemon's group.
    public func cleanUp(extra: [ProcessIdentity] = []) {
        let processes = recordedProcesses() + extra
        for p in processes.reversed() { Signals.sendToGroup(.kill, leader: p); Signals.send(.kill, to: p) }
        // Daemons restarted while we were killing: one more pass.
        for p in recordedProcesses() where !processes.contains(p) { Signals.sendToGroup(.kill, leader: p) }
        let tagged = Self.killEverything(startedFor: home)
        _ = Wait.until(timeout: 10) { (processes + tagged).allSatisfy { ProcessTable.check($0) != .alive } }
        _ = try? CommandRunner.run(["/bin/rm", "-rf", root])
    }
}
