#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CSystemShim

/// Starts daemons the way a supervisor must: a new session and process group, clean
/// signal state, stdin from /dev/null, stdout+stderr to the given descriptor, no other
/// inherited descriptors.
public enum Spawner {
    public enum Failure: Error, CustomStringConvertible, Sendable {
        case commandNotFound(String)
        case notExecutable(String)
        case emptyCommand
        case spawnFailed(String, SystemError)

        public var description: String {
            switch self {
            case .commandNotFound(let c): return "command not found: \(c)"
            case .notExecutable(let c): return "not executable: \(c)"
            case .emptyCommand: return "empty command"
            case .spawnFailed(let c, let e): return "cannot start \(c): \(e)"
            }
        }
    }

    /// Finds `command` as `execvp` would: a path with a `/` as is, else on `$PATH`.
    public static func resolve(_ command: String, path: String? = nil) throws -> String {
        if command.contains("/") {
            guard FileSystem.exists(command) else { throw Failure.commandNotFound(command) }
            guard access(command, X_OK) == 0, !FileSystem.isDirectory(command) else { throw Failure.notExecutable(command) }
            return command
        }
        let searchPath = path ?? (getenv("PATH").map { String(cString: $0) } ?? "/usr/local/bin:/usr/bin:/bin")
        for dir in searchPath.split(separator: ":") {
            let candidate = "\(dir)/\(command)"
            if access(candidate, X_OK) == 0 && !FileSystem.isDirectory(candidate) { return candidate }
        }
        throw Failure.commandNotFound(command)
    }

    /// Spawns `argv`; `environment` nil inherits ours. stdout goes to `output`, stderr to
    /// `errorOutput` (-1: with stdout). Returns the child's PID.
    public static func spawn(_ argv: [String], environment: [String: String]? = nil,
                             workingDirectory: String? = nil, output: Int32 = -1, errorOutput: Int32 = -1) throws -> Int32 {
        guard let first = argv.first else { throw Failure.emptyCommand }
        let path = try resolve(first)
        var cArgs: [UnsafeMutablePointer<CChar>?] = argv.map { strdup($0) } + [nil]
        defer { cArgs.forEach { free($0) } }
        var cEnv: [UnsafeMutablePointer<CChar>?]? = environment.map { env in
            env.sorted { $0.key < $1.key }.map { strdup("\($0.key)=\($0.value)") } + [nil]
        }
        defer { cEnv?.forEach { free($0) } }
        var pid: pid_t = 0
        let rc: Int32 = cArgs.withUnsafeMutableBufferPointer { args in
            if cEnv != nil {
                return cEnv!.withUnsafeMutableBufferPointer { env in
                    tend_spawn(path, args.baseAddress, env.baseAddress, workingDirectory, output, errorOutput, &pid)
                }
            }
            return tend_spawn(path, args.baseAddress, nil, workingDirectory, output, errorOutput, &pid)
        }
        guard rc == 0 else { throw Failure.spawnFailed(first, SystemError("posix_spawn", path: path, code: rc)) }
        return pid
    }

    /// The current environment as a dictionary.
    public static func currentEnvironment() -> [String: String] {
        var result: [String: String] = [:]
        var p = environ
        while let entry = p.pointee {
            let s = String(cString: entry)
            if let eq = s.firstIndex(of: "=") {
                result[String(s[..<eq])] = String(s[s.index(after: eq)...])
            }
            p += 1
        }
        return result
    }
}
