import TendSystem

/// `.pids/NAME.pid`: one line, the PID — the seed's format, so `kill $(cat …)` works.
public enum PidFile {
    public enum ReadResult: Equatable, Sendable {
        case missing
        case pid(Int32)
        /// The file exists but does not hold a PID.
        case corrupt(String)
    }

    public static func read(_ home: Home, _ name: String) -> ReadResult {
        read(file: home.pidFile(name))
    }

    /// Any PID file (a forking program's own `pidfile`, say).
    public static func read(file path: String) -> ReadResult {
        guard let text = try? FileSystem.readTextIfPresent(path) else { return .missing }
        let trimmed = text.split(whereSeparator: { $0 == "\n" || $0 == " " || $0 == "\r" || $0 == "\t" }).first.map(String.init) ?? ""
        if let pid = Int32(trimmed), pid > 0 { return .pid(pid) }
        return .corrupt(String(text.prefix(40)))
    }

    /// The PID in `path`, if it holds one.
    public static func pid(in path: String) -> Int32? {
        if case .pid(let pid) = read(file: path) { return pid }
        return nil
    }

    public static func write(_ home: Home, _ name: String, pid: Int32) throws {
        // Not fsynced: rewritten at every start, and the identity record decides anyway.
        try FileSystem.writeAtomically(home.pidFile(name), text: "\(pid)\n", mode: 0o644, durable: false)
    }

    public static func remove(_ home: Home, _ name: String) throws {
        try FileSystem.remove(home.pidFile(name))
    }
}
