import TendSystem

/// The PID tracker (the seed's pid-tracker.py): reads PID files and decides, from the
/// identity record, whether the process they name is really the daemon.
public struct PidTracker: Sendable {
    public let home: Home

    public init(home: Home) { self.home = home }

    public enum Verdict: String, Codable, Sendable, Equatable {
        /// The PID file names a live process whose start time matches the identity record.
        case running = "RUNNING"
        /// No PID file.
        case noPIDFile = "NO_PID_FILE"
        /// The PID file names no live process, or a process that is not the daemon
        /// (other start time: the PID was reused), or holds no PID at all.
        case stale = "STALE"
    }

    public struct Verification: Sendable, Equatable {
        public var daemon: String
        public var verdict: Verdict
        public var pid: Int32?
        /// Why it is stale, in words.
        public var detail: String
        /// The live process, when running.
        public var process: ProcessSnapshot?
    }

    /// Verifies one daemon: PID file → live process → start time against `.state/NAME.json`.
    /// A PID file without an identity record is trusted only if the process is alive
    /// and started after the PID file was written (a PID written by other tools).
    public func verify(_ daemon: String) -> Verification {
        verify(daemon, record: DaemonRecord.load(home, daemon), withCommandLine: true)
    }

    /// `verify` with the identity record already loaded (status reads it anyway) and the
    /// command line only when it will be shown.
    public func verify(_ daemon: String, record: DaemonRecord?, withCommandLine: Bool) -> Verification {
        switch PidFile.read(home, daemon) {
        case .missing:
            return Verification(daemon: daemon, verdict: .noPIDFile, pid: nil, detail: "no PID file", process: nil)
        case .corrupt(let text):
            return Verification(daemon: daemon, verdict: .stale, pid: nil, detail: "PID file holds no PID ('\(text)')", process: nil)
        case .pid(let pid):
            guard let snap = ProcessTable.snapshot(pid, withCommandLine: withCommandLine), !snap.isZombie else {
                return Verification(daemon: daemon, verdict: .stale, pid: pid, detail: "process \(pid) is not running", process: nil)
            }
            if let identity = record?.process, identity.pid == pid {
                if identity.startTime == snap.startTime {
                    return Verification(daemon: daemon, verdict: .running, pid: pid, detail: "running", process: snap)
                }
                return Verification(daemon: daemon, verdict: .stale, pid: pid,
                                    detail: "PID \(pid) was reused by another process (\(snap.name)); the daemon is gone", process: nil)
            }
            // No identity for this PID: only a process younger than the PID file can be it.
            let written = FileSystem.info(home.pidFile(daemon))?.modified ?? 0
            if snap.startedAt <= written + 1 {
                return Verification(daemon: daemon, verdict: .running, pid: pid, detail: "running (no identity record; start time plausible)", process: snap)
            }
            return Verification(daemon: daemon, verdict: .stale, pid: pid,
                                detail: "PID \(pid) belongs to a process (\(snap.name)) started after the PID file was written", process: nil)
        }
    }

    /// Every daemon with a PID file.
    public func knownDaemons() -> [String] {
        ((try? FileSystem.list(home.pidsDir)) ?? []).filter { $0.hasSuffix(".pid") }.map { String($0.dropLast(4)) }.sorted()
    }

    public struct Cleanup: Sendable, Equatable {
        public var removed: [(daemon: String, pid: Int32?, detail: String)]
        public var kept: [String]
        public static func == (a: Cleanup, b: Cleanup) -> Bool {
            a.removed.map(\.daemon) == b.removed.map(\.daemon) && a.kept == b.kept
        }
    }

    /// Removes stale PID files only (never one that names the running daemon).
    public func cleanup() -> Cleanup {
        var result = Cleanup(removed: [], kept: [])
        for daemon in knownDaemons() {
            let v = verify(daemon)
            if v.verdict == .stale {
                try? PidFile.remove(home, daemon)
                result.removed.append((daemon, v.pid, v.detail))
            } else {
                result.kept.append(daemon)
            }
        }
        return result
    }

    public struct HealthSummary: Sendable, Equatable {
        public var total: Int
        public var running: Int
        public var stale: [String]
        public var missing: [String]
        public var percent: Int { total == 0 ? 100 : (running * 100) / total }
    }

    /// How many of `daemons` are running, per the PID files.
    public func health(_ daemons: [String]) -> HealthSummary {
        var s = HealthSummary(total: daemons.count, running: 0, stale: [], missing: [])
        for d in daemons {
            switch verify(d, record: DaemonRecord.load(home, d), withCommandLine: false).verdict {
            case .running: s.running += 1
            case .stale: s.stale.append(d)
            case .noPIDFile: s.missing.append(d)
            }
        }
        return s
    }
}
