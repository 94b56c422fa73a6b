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
        if let text = try? FileSystem.readText("\(home)/monitor.pid") {
            let parts = text.split(whereSeparator: { $0 == " " || $0 == "\n" })
            if parts.count >= 2, let pid = Int32(parts[0]), let st = UInt64(parts[1]) {
                result.append(ProcessIdentity(pid: pid, startTime: st))
            }
        }
        return result
    }

    /// Extracts `"process": {"pid": N, "startTime": M}` without depending on TendCore.
    static func identity(inStateJSON text: String) -> ProcessIdentity? {
        guard let range = text.range(of: "\"process\"") else { return nil }
        let tail = text[range.upperBound...].prefix(200)
        func number(after key: String) -> UInt64? {
            guard let r = tail.range(of: "\"\(key)\"") else { return nil }
            let digits = tail[r.upperBound...].drop { !$0.isNumber }.prefix { $0.isNumber }
            return UInt64(digits)
        }
        guard let pid = number(after: "pid"), let st = number(after: "startTime") else { return nil }
        return ProcessIdentity(pid: Int32(pid), startTime: st)
    }

    /// Stops the monitor first (so it restarts nothing), then every daemon's group.
    public func cleanUp(extra: [ProcessIdentity] = []) {
        let processes = recordedProcesses() + extra
        for p in processes.reversed() { Signals.sendToGroup(.kill, leader: p); Signals.send(.kill, to: p) }
        // Daemons restarted while we were killing: one more pass.
        for p in recordedProcesses() where !processes.contains(p) { Signals.sendToGroup(.kill, leader: p) }
        _ = Wait.until(timeout: 10) { processes.allSatisfy { ProcessTable.check($0) != .alive } }
        _ = try? CommandRunner.run(["/bin/rm", "-rf", root])
    }
}
