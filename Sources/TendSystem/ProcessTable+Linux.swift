#if os(Linux)
import Glibc
import CSystemShim

extension ProcessTable {
    private static let ticksPerSecond = Double(sysconf(Int32(_SC_CLK_TCK)))
    private static let pageSize = Int64(sysconf(Int32(_SC_PAGESIZE)))
    private static let bootTime: Double = {
        guard let text = try? FileSystem.readText("/proc/stat") else { return 0 }
        for line in text.split(separator: "\n") where line.hasPrefix("btime ") {
            return Double(line.dropFirst(6).trimmingCharacters(in: " ")) ?? 0
        }
        return 0
    }()

    /// Reads `/proc/PID/stat` and (unless not wanted: identity checks skip it, and it can
    /// stall on a process that is in the middle of exec) `/proc/PID/cmdline`; nil if the
    /// process does not exist.
    public static func snapshot(_ pid: Int32, withCommandLine: Bool = true) -> ProcessSnapshot? {
        guard pid > 0, let stat = try? FileSystem.readText("/proc/\(pid)/stat") else { return nil }
        return parseStat(stat, pid: pid, commandLine: withCommandLine ? commandLine(pid) : [])
    }

    /// Parses a `/proc/PID/stat` line. The name may hold spaces and parentheses, so
    /// fields are counted from the last `)`.
    static func parseStat(_ stat: String, pid: Int32, commandLine: [String]) -> ProcessSnapshot? {
        guard let open = stat.firstIndex(of: "("), let close = stat.lastIndex(of: ")") else { return nil }
        let name = String(stat[stat.index(after: open)..<close])
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        // fields[0] is field 3 of proc(5): state.
        guard fields.count > 21 else { return nil }
        func int(_ field: Int) -> Int64 { Int64(fields[field - 3]) ?? 0 }
        let start = UInt64(fields[22 - 3]) ?? 0
        return ProcessSnapshot(
            pid: pid,
            parentPID: Int32(int(4)),
            processGroup: Int32(int(5)),
            session: Int32(int(6)),
            name: name,
            state: String(fields[0]),
            startTime: start,
            startedAt: bootTime + Double(start) / ticksPerSecond,
            threads: Int(int(20)),
            residentBytes: int(24) * pageSize,
            cpuSeconds: Double(int(14) + int(15)) / ticksPerSecond,
            commandLine: commandLine)
    }

    public static func commandLine(_ pid: Int32) -> [String] {
        guard let bytes = try? FileSystem.readBytes("/proc/\(pid)/cmdline") else { return [] }
        return bytes.split(separator: 0, omittingEmptySubsequences: false)
            .dropLast(bytes.last == 0 ? 1 : 0)
            .map { String(decoding: $0, as: UTF8.self) }
    }

    /// A file descriptor that becomes readable when the process exits (a pidfd), opened
    /// only if the process is still the one recorded: start time read, pidfd opened,
    /// start time read again — so a reused PID is never watched by mistake.
    public static func openExitWatch(_ identity: ProcessIdentity) throws -> Int32 {
        guard check(identity) == .alive else { throw SystemError("watch", path: "pid \(identity.pid)", code: ESRCH) }
        let fd = tend_pidfd_open(identity.pid)
        guard fd >= 0 else { throw SystemError("pidfd_open", path: "pid \(identity.pid)") }
        guard check(identity) == .alive else {
            close(fd)
            throw SystemError("watch", path: "pid \(identity.pid)", code: ESRCH)
        }
        _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        return fd
    }

    /// Every live PID on the system.
    public static func allPIDs() -> [Int32] {
        ((try? FileSystem.list("/proc")) ?? []).compactMap { Int32($0) }
    }

    /// Names this boot of the kernel (a new value after every reboot): what lives only in
    /// memory, a pipe's buffered bytes say, belongs to one boot.
    public static func bootIdentifier() -> String {
        let text = (try? FileSystem.readText("/proc/sys/kernel/random/boot_id")) ?? ""
        return String(text.split(separator: "\n").first ?? "")
    }

    /// The children of `pid` (from `/proc/PID/task/*/children`), or nil where the kernel
    /// does not provide that file.
    public static func children(of pid: Int32) -> [Int32]? {
        guard let tasks = try? FileSystem.list("/proc/\(pid)/task") else { return nil }
        var result: [Int32] = []
        for task in tasks {
            // Parsed as bytes: a monitor of a thousand daemons reads this at every death.
            guard let bytes = try? FileSystem.readBytes("/proc/\(pid)/task/\(task)/children") else { return nil }
            var value: Int32 = 0, digits = 0
            for byte in bytes {
                if byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") {
                    value = value &* 10 &+ Int32(byte - UInt8(ascii: "0"))
                    digits += 1
                } else if digits > 0 {
                    result.append(value)
                    value = 0
                    digits = 0
                }
            }
            if digits > 0 { result.append(value) }
        }
        return result
    }

    /// The values of `keys` in the environment `pid` was started with, read at once (nil
    /// if unreadable; a key absent from it is absent from the result).
    public static func environmentValues(_ keys: [String], of pid: Int32) -> [String: String]? {
        guard let env = try? FileSystem.readBytes("/proc/\(pid)/environ") else { return nil }
        let prefixes = keys.map { ($0, Array(($0 + "=").utf8)) }
        var found: [String: String] = [:]
        for variable in env.split(separator: 0) {
            for (key, prefix) in prefixes where variable.starts(with: prefix) {
                found[key] = String(decoding: variable.dropFirst(prefix.count), as: UTF8.self)
            }
        }
        return found
    }

    /// Live processes started with `entry` (`KEY=value`) in their environment, each with
    /// the value of `key` in it (or nil). `/proc/PID/environ` is readable only for one's
    /// own processes (or by root), so a stranger never matches by accident; the
    /// environment is the one a process was started with, which a daemon's descendants
    /// inherit even after they leave its process group.
    public static func processes(withEnvironment entry: String, reporting key: String) -> [(value: String?, process: ProcessSnapshot)] {
        let wanted = Array(entry.utf8)
        let prefix = Array((key + "=").utf8)
        var found: [(String?, ProcessSnapshot)] = []
        let me = getpid()
        for pid in allPIDs() where pid != me {
            guard let env = try? FileSystem.readBytes("/proc/\(pid)/environ") else { continue }
            var matched = false
            var value: String?
            for variable in env.split(separator: 0) {
                if variable.elementsEqual(wanted) { matched = true }
                else if variable.starts(with: prefix) { value = String(decoding: variable.dropFirst(prefix.count), as: UTF8.self) }
            }
            guard matched, let snap = snapshot(pid, withCommandLine: false), !snap.isZombie else { continue }
            found.append((value, snap))
        }
        return found
    }
}

extension Substring {
    func trimmingCharacters(in set: Character) -> Substring {
        var s = self
        while s.first == set { s.removeFirst() }
        while s.last == set { s.removeLast() }
        return s
    }
}
#endif
