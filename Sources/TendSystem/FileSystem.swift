#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// File operations the supervisor needs, as thin throwing wrappers over POSIX calls.
public enum FileSystem {
    public static func exists(_ path: String) -> Bool {
        access(path, F_OK) == 0
    }

    public static func isDirectory(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR
    }

    /// Creates `path` and missing parents with `mode` (existing ones are left as they are).
    public static func makeDirectory(_ path: String, mode: mode_t = 0o755) throws {
        if isDirectory(path) { return }
        let parent = parentDirectory(of: path)
        if parent != path && !parent.isEmpty && !isDirectory(parent) {
            try makeDirectory(parent, mode: mode)
        }
        if mkdir(path, mode) != 0 && errno != EEXIST {
            throw SystemError("mkdir", path: path)
        }
    }

    public static func parentDirectory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        if slash == path.startIndex { return "/" }
        return String(path[..<slash])
    }

    public static func fileName(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return path }
        return String(path[path.index(after: slash)...])
    }

    /// The whole file as bytes. `inspect` sees the metadata of the file opened (fstat, so
    /// the file checked is the file read) and may refuse it by throwing.
    public static func readBytes(_ path: String, inspect: (Info) throws -> Void = { _ in }) throws -> [UInt8] {
        let fd = retryingOnInterrupt { open(path, O_RDONLY | O_CLOEXEC) }
        guard fd >= 0 else { throw SystemError("open", path: path) }
        defer { close(fd) }
        guard let info = info(fd: fd) else { throw SystemError("fstat", path: path) }
        try inspect(info)
        var result: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = chunk.withUnsafeMutableBytes { buf in
                retryingOnInterrupt { read(fd, buf.baseAddress, buf.count) }
            }
            if n < 0 { throw SystemError("read", path: path) }
            if n == 0 { break }
            result.append(contentsOf: chunk[0..<n])
        }
        return result
    }

    /// The whole file as text (invalid UTF-8 replaced).
    public static func readText(_ path: String) throws -> String {
        String(decoding: try readBytes(path), as: UTF8.self)
    }

    /// The file as text, or nil when it does not exist (other errors still throw).
    public static func readTextIfPresent(_ path: String) throws -> String? {
        do { return try readText(path) } catch let e as SystemError where e.code == ENOENT { return nil }
    }

    /// Writes `bytes` so a reader sees either the old file or the new one, never half:
    /// a temporary file beside the target, then rename over it. `durable` adds an fsync
    /// before the rename (survives a power cut; costs a disk flush, ~1 ms or more).
    public static func writeAtomically(_ path: String, _ bytes: [UInt8], mode: mode_t = 0o600, durable: Bool = true) throws {
        let temp = "\(parentDirectory(of: path))/.\(fileName(of: path)).tmp.\(getpid())"
        let fd = retryingOnInterrupt { open(temp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode) }
        // Errors name the file being written, not the temporary one.
        guard fd >= 0 else { throw SystemError("cannot write", path: path) }
        do {
            try writeAll(fd, bytes, path: path)
            if durable && fsync(fd) != 0 { throw SystemError("fsync", path: path) }
            close(fd)
        } catch {
            close(fd)
            unlink(temp)
            throw error
        }
        if rename(temp, path) != 0 {
            let e = SystemError("rename", path: path)
            unlink(temp)
            throw e
        }
    }

    public static func writeAtomically(_ path: String, text: String, mode: mode_t = 0o600, durable: Bool = true) throws {
        try writeAtomically(path, Array(text.utf8), mode: mode, durable: durable)
    }

    /// Creates a file that must not exist yet (`O_EXCL`: no race with another writer);
    /// throws `SystemError` with code `EEXIST` when it does, leaving it untouched.
    public static func createNew(_ path: String, text: String, mode: mode_t = 0o644) throws {
        let fd = retryingOnInterrupt { open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode) }
        guard fd >= 0 else { throw SystemError("create", path: path) }
        defer { close(fd) }
        do { try writeAll(fd, Array(text.utf8), path: path) } catch {
            unlink(path)
            throw error
        }
    }

    /// Writes every byte, retrying short writes and interruptions.
    public static func writeAll(_ fd: Int32, _ bytes: [UInt8], path: String? = nil) throws {
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { buf in
                retryingOnInterrupt { write(fd, buf.baseAddress! + offset, buf.count - offset) }
            }
            if n < 0 { throw SystemError("write", path: path) }
            offset += n
        }
    }

    /// Removes a file; a missing file is not an error.
    public static func remove(_ path: String) throws {
        if unlink(path) != 0 && errno != ENOENT { throw SystemError("remove", path: path) }
    }

    public static func move(_ from: String, to: String) throws {
        if rename(from, to) != 0 { throw SystemError("rename", path: from) }
    }

    /// Names in a directory (no `.`/`..`), sorted; a missing directory is empty.
    public static func list(_ path: String) throws -> [String] {
        guard let dir = opendir(path) else {
            if errno == ENOENT { return [] }
            throw SystemError("opendir", path: path)
        }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names.sorted()
    }

    public struct Info: Sendable, Equatable {
        public let size: Int64
        public let modified: Double
        public let inode: UInt64
        public let device: UInt64
        public let isDirectory: Bool
        public let mode: UInt32
        /// The owner's user ID.
        public let owner: UInt32
    }

    public static func info(_ path: String) -> Info? {
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        return Info(st)
    }

    public static func info(fd: Int32) -> Info? {
        var st = stat()
        guard fstat(fd, &st) == 0 else { return nil }
        return Info(st)
    }

    public static func setMode(_ path: String, _ mode: mode_t) throws {
        if chmod(path, mode) != 0 { throw SystemError("chmod", path: path) }
    }

    /// The absolute form of `path` against the current directory (no symlink resolution).
    public static func absolute(_ path: String) -> String {
        if path.hasPrefix("/") { return path }
        var buf = [CChar](repeating: 0, count: Int(PATH_MAX))
        guard getcwd(&buf, buf.count) != nil else { return path }
        let cwd = String(decoding: buf.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return path == "." ? cwd : "\(cwd)/\(path)"
    }

    /// The path of the running executable.
    public static func executablePath() -> String {
        #if os(Linux)
        var buf = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let n = readlink("/proc/self/exe", &buf, Int(PATH_MAX))
        if n > 0 { return String(decoding: buf.prefix(n).map { UInt8(bitPattern: $0) }, as: UTF8.self) }
        #else
        var size = UInt32(PATH_MAX)
        var buf = [CChar](repeating: 0, count: Int(size))
        if _NSGetExecutablePath(&buf, &size) == 0 { return String(cString: buf) }
        #endif
        return CommandLine.arguments[0]
    }
}

extension FileSystem.Info {
    init(_ st: stat) {
        #if os(Linux)
        let modified = Double(st.st_mtim.tv_sec) + Double(st.st_mtim.tv_nsec) / 1e9
        #else
        let modified = Double(st.st_mtimespec.tv_sec) + Double(st.st_mtimespec.tv_nsec) / 1e9
        #endif
        self.init(size: Int64(st.st_size), modified: modified, inode: UInt64(st.st_ino),
                  device: UInt64(st.st_dev), isDirectory: (st.st_mode & S_IFMT) == S_IFDIR,
                  mode: UInt32(st.st_mode), owner: UInt32(st.st_uid))
    }
}
