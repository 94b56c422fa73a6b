#if os(macOS)
import Darwin

// macOS side of the seam. It compiles against Darwin's APIs but is untested: Tend's
// tests run on Linux only (see README, "Platforms").
extension ProcessTable {
    public static func snapshot(_ pid: Int32, withCommandLine: Bool = true) -> ProcessSnapshot? {
        var info = kinfo_proc()
        var size = MemoryLayout<kinfo_proc>.stride
        var mib: [Int32] = [CTL_KERN, KERN_PROC, KERN_PROC_PID, pid]
        guard sysctl(&mib, 4, &info, &size, nil, 0) == 0, size > 0 else { return nil }
        let start = info.kp_proc.p_starttime
        let micros = UInt64(start.tv_sec) * 1_000_000 + UInt64(start.tv_usec)
        var task = proc_taskinfo()
        let taskSize = Int32(MemoryLayout<proc_taskinfo>.stride)
        let haveTask = proc_pidinfo(pid, PROC_PIDTASKINFO, 0, &task, taskSize) == taskSize
        let name = withUnsafePointer(to: info.kp_proc.p_comm) {
            $0.withMemoryRebound(to: CChar.self, capacity: 17) { String(cString: $0) }
        }
        let stateLetter: String = info.kp_proc.p_stat == SZOMB ? "Z" : (info.kp_proc.p_stat == SRUN ? "R" : "S")
        return ProcessSnapshot(
            pid: pid, parentPID: info.kp_eproc.e_ppid, processGroup: info.kp_eproc.e_pgid,
            session: 0, name: name, state: stateLetter, startTime: micros,
            startedAt: Double(micros) / 1e6,
            threads: haveTask ? Int(task.pti_threadnum) : 0,
            residentBytes: haveTask ? Int64(task.pti_resident_size) : 0,
            cpuSeconds: haveTask ? Double(task.pti_total_user + task.pti_total_system) / 1e9 : 0,
            commandLine: [name])
    }

    public static func commandLine(_ pid: Int32) -> [String] { snapshot(pid)?.commandLine ?? [] }

    /// A kqueue descriptor with EVFILT_PROC/NOTE_EXIT registered: readable on exit.
    public static func openExitWatch(_ identity: ProcessIdentity) throws -> Int32 {
        guard check(identity) == .alive else { throw SystemError("watch", path: "pid \(identity.pid)", code: ESRCH) }
        let kq = kqueue()
        guard kq >= 0 else { throw SystemError("kqueue") }
        var change = kevent(ident: UInt(identity.pid), filter: Int16(EVFILT_PROC), flags: UInt16(EV_ADD | EV_ONESHOT),
                            fflags: NOTE_EXIT, data: 0, udata: nil)
        guard kevent(kq, &change, 1, nil, 0, nil) == 0, check(identity) == .alive else {
            close(kq)
            throw SystemError("kevent", path: "pid \(identity.pid)", code: ESRCH)
        }
        return kq
    }

    /// Not read on macOS (no per-process children list; KERN_PROCARGS2 parsing for the
    /// environment is not written): escaped descendants are not found there.
    public static func children(of pid: Int32) -> [Int32]? { nil }
    public static func environmentValues(_ keys: [String], of pid: Int32) -> [String: String]? { nil }

    /// Not read on macOS (the environment of another process needs KERN_PROCARGS2
    /// parsing, not written yet): descendants that left their group are not found there.
    public static func processes(withEnvironment entry: String, reporting key: String) -> [(value: String?, process: ProcessSnapshot)] { [] }

    public static func allPIDs() -> [Int32] {
        var pids = [Int32](repeating: 0, count: 8192)
        let n = proc_listallpids(&pids, Int32(pids.count * 4))
        return n > 0 ? Array(pids.prefix(Int(n))) : []
    }

    /// The kernel's boot time, which names this boot.
    public static func bootIdentifier() -> String {
        var boot = timeval()
        var size = MemoryLayout<timeval>.stride
        var mib: [Int32] = [CTL_KERN, KERN_BOOTTIME]
        guard sysctl(&mib, 2, &boot, &size, nil, 0) == 0 else { return "" }
        return "\(boot.tv_sec).\(boot.tv_usec)"
    }
}
#endif
