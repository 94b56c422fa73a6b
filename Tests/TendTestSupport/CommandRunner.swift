import TendSystem
#if canImport(Glibc)
import Glibc
#endif

/// Runs a command to completion, capturing stdout and stderr (through temp files, so a
/// child that leaves a grandchild holding the pipe cannot hang the test).
public enum CommandRunner {
    public struct Result: CustomStringConvertible {
        public let code: Int32
        public let stdout: String
        public let stderr: String
        public var description: String { "exit \(code)\nstdout:\n\(stdout)\nstderr:\n\(stderr)" }
    }

    /// The `tend` binary built beside the test bundle.
    public static var tendBinary: String {
        "\(FileSystem.parentDirectory(of: FileSystem.executablePath()))/tend"
    }

    public static func tend(_ args: [String], env: [String: String], timeout: Double = 60) throws -> Result {
        try run([tendBinary] + args, env: env, timeout: timeout)
    }

    public static func run(_ argv: [String], env: [String: String]? = nil, timeout: Double = 60) throws -> Result {
        let dir = "/tmp/tend-cmd-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileSystem.makeDirectory(dir, mode: 0o700)
        defer { _ = unlink("\(dir)/out"); _ = unlink("\(dir)/err"); _ = rmdir(dir) }
        let out = try openAppend("\(dir)/out")
        let err = try openAppend("\(dir)/err")
        let pid = try spawnCapturing(argv, env: env, stdout: out, stderr: err)
        closeFD(out)
        closeFD(err)
        var status: Int32 = 0
        let deadline = Clock.monotonic() + timeout
        while waitpid(pid, &status, WNOHANG) == 0 {
            if Clock.monotonic() > deadline {
                kill(-pid, SIGKILL)
                waitpid(pid, &status, 0)
                throw SystemError("timed out after \(timeout)s: \(argv.joined(separator: " "))", code: ETIMEDOUT)
            }
            _ = Poller.waitReadable([], timeout: 0.005)
        }
        let code: Int32 = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        return Result(code: code, stdout: (try? FileSystem.readText("\(dir)/out")) ?? "",
                      stderr: (try? FileSystem.readText("\(dir)/err")) ?? "")
    }

    /// Spawns with separate stdout/stderr (Spawner merges them: for daemons that is right),
    /// stdin from `stdin` (default /dev/null), in a process group of its own.
    static func spawnCapturing(_ argv: [String], env: [String: String]?, stdin: Int32? = nil, stdout: Int32, stderr: Int32) throws -> Int32 {
        var fa = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&fa)
        defer { posix_spawn_file_actions_destroy(&fa) }
        if let stdin { posix_spawn_file_actions_adddup2(&fa, stdin, 0) } else { posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0) }
        posix_spawn_file_actions_adddup2(&fa, stdout, 1)
        posix_spawn_file_actions_adddup2(&fa, stderr, 2)
        var attr = posix_spawnattr_t()
        posix_spawnattr_init(&attr)
        defer { posix_spawnattr_destroy(&attr) }
        posix_spawnattr_setflags(&attr, Int16(POSIX_SPAWN_SETPGROUP))
        posix_spawnattr_setpgroup(&attr, 0)
        let cArgs = argv.map { strdup($0) } + [nil]
        defer { cArgs.forEach { free($0) } }
        let envList = (env ?? Spawner.currentEnvironment()).map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { envList.forEach { free($0) } }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, argv[0], &fa, &attr, cArgs, envList)
        guard rc == 0 else { throw SystemError("posix_spawn", path: argv[0], code: rc) }
        return pid
    }
}
