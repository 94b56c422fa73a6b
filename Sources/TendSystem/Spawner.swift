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

    /// A resource limit set in the child before exec.
    public struct Limit: Sendable, Equatable {
        public let resource: Int32
        public let soft: UInt64
        public let hard: UInt64

        /// Soft and hard alike: what a daemon's `limits` ask for.
        init(resource: Int32, value: UInt64) {
            self.init(resource: resource, soft: value, hard: value)
        }

        public init(resource: Int32, soft: UInt64, hard: UInt64) {
            self.resource = resource
            self.soft = soft
            self.hard = hard
        }

        public static func openFiles(_ n: UInt64) -> Limit { Limit(resource: Int32(RLIMIT_NOFILE.rawValue), value: n) }
        public static func processes(_ n: UInt64) -> Limit { Limit(resource: tend_rlimit_nproc(), value: n) }
        public static func coreBytes(_ n: UInt64) -> Limit { Limit(resource: Int32(RLIMIT_CORE.rawValue), value: n) }
        public static func addressSpace(bytes n: UInt64) -> Limit { Limit(resource: Int32(RLIMIT_AS.rawValue), value: n) }
    }

    /// Spawns `argv`; `environment` nil inherits ours. stdin comes from `input` (-1:
    /// /dev/null), stdout goes to `output`, stderr to `errorOutput` (-1: with stdout).
    /// `limits` are set before exec. Returns the child's PID.
    public static func spawn(_ argv: [String], environment: [String: String]? = nil,
                             workingDirectory: String? = nil, input: Int32 = -1, output: Int32 = -1,
                             errorOutput: Int32 = -1, limits: [Limit] = []) throws -> Int32 {
        guard let first = argv.first else { throw Failure.emptyCommand }
        let path = try resolve(first)
        var cArgs: [UnsafeMutablePointer<CChar>?] = argv.map { strdup($0) } + [nil]
        defer { cArgs.forEach { free($0) } }
        // nil: the child inherits `environ` as it is (the C side passes it to execve),
        // with no copy of ours made for each spawn.
        var cEnv: [UnsafeMutablePointer<CChar>?]? = environment.map { env in
            env.sorted { $0.key < $1.key }.map { strdup("\($0.key)=\($0.value)") } + [nil]
        }
        defer { cEnv?.forEach { free($0) } }
        let resources = limits.map(\.resource)
        let softs = limits.map { CUnsignedLongLong($0.soft) }
        let hards = limits.map { CUnsignedLongLong($0.hard) }
        var pid: pid_t = 0
        let rc: Int32 = cArgs.withUnsafeMutableBufferPointer { args in
            func run(_ envp: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
                tend_spawn(path, args.baseAddress, envp, workingDirectory, input, output, errorOutput,
                           resources, softs, hards, Int32(limits.count), &pid)
            }
            guard cEnv != nil else { return run(nil) }
            return cEnv!.withUnsafeMutableBufferPointer { run($0.baseAddress) }
        }
        guard rc == 0 else { throw Failure.spawnFailed(first, SystemError("spawn", path: path, code: rc)) }
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
