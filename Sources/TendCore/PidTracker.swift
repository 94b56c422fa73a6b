import TendSystem

/// The PID tracker (the seed's pid-tracker.py): reads PID files and decides, from the
/// identity record, whether the process they name is really the daemon.
public struct PidTracker: Sendable {
    public let home: Home
    /// The declared daemons: a PID that no identity record vouches for is the daemon's
    /// only if its command line is the declared command.
    public let declared: [String: DaemonSpec]

    public init(home: Home, declared: [DaemonSpec] = []) {
        self.home = home
        self.declared = Dictionary(declared.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
    }

    public enum Verdict: String, Sendable, Equatable {
        /// The PID file names the daemon's live process: by its identity record (PID +
        /// start time), or, with no record for that PID, by its declared command line.
        case running = "RUNNING"
        /// No PID file.
        case noPIDFile = "NO_PID_FILE"
        /// The PID file names no live process, or a process that is not the daemon
        /// (another start time: the PID was reused; or no record and another command), or
        /// holds no PID at all.
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

    /// Verifies one daemon: PID file → live process → its identity record, else its
    /// declared command line.
    public func verify(_ daemon: String) -> Verification {
        verify(daemon, record: DaemonRecord.load(home, daemon), withCommandLine: true)
    }

    /// `verify` with the identity record already loaded (status reads it anyway) and the
    /// command line read only when it is shown or needed.
    public func verify(_ daemon: String, record: DaemonRecord?, withCommandLine: Bool) -> Verification {
        switch PidFile.read(home, daemon) {
        case .missing:
            return Verification(daemon: daemon, verdict: .noPIDFile, pid: nil, detail: "no PID file", process: nil)
        case .corrupt(let text):
            return Verification(daemon: daemon, verdict: .stale, pid: nil, detail: "PID file holds no PID ('\(text)')", process: nil)
        case .pid(let pid):
            let vouched = record?.process?.pid == pid
            guard var snap = ProcessTable.snapshot(pid, withCommandLine: withCommandLine && vouched), !snap.isZombie else {
                return Verification(daemon: daemon, verdict: .stale, pid: pid, detail: "process \(pid) is not running", process: nil)
            }
            if let identity = record?.process, vouched {
                if identity.startTime == snap.startTime {
                    return Verification(daemon: daemon, verdict: .running, pid: pid, detail: "running", process: snap)
                }
                return Verification(daemon: daemon, verdict: .stale, pid: pid,
                                    detail: "PID \(pid) was reused by another process (\(snap.name)); the daemon is gone", process: nil)
            }
            // No record vouches for this PID (a PID file another tool wrote, or one left
            // from an older run): only the declared command line makes it the daemon.
            snap.commandLine = ProcessTable.commandLine(pid)
            if let spec = declared[daemon], spec.isCommandLine(snap.commandLine) {
                return Verification(daemon: daemon, verdict: .running, pid: pid,
                                    detail: "running (no identity record; its command line is the declared one)", process: snap)
            }
            let shown = snap.commandLine.isEmpty ? snap.name : snap.commandLine.joined(separator: " ")
            return Verification(daemon: daemon, verdict: .stale, pid: pid,
                                detail: "PID \(pid) belongs to another process (\(shown)): no identity record vouches for it and it is not the declared command", process: nil)
        }
    }

    public struct NotRunning: Error, CustomStringConvertible {
        public let pid: Int32
        public var description: String { "process \(pid) is not running: nothing recorded" }
    }

    /// `tend pid write`: records that the live process `pid` is the daemon — its PID file
    /// and its identity (start time, process group, command line) as of now, so later
    /// checks know it by identity, not by a number that may be reused.
    @discardableResult
    public func record(_ daemon: String, pid: Int32) throws -> ProcessSnapshot {
        guard let snap = ProcessTable.snapshot(pid), !snap.isZombie else { throw NotRunning(pid: pid) }
        var record = DaemonRecord.loadOrNew(home, daemon)
        record.process = snap.identity
        record.processGroup = snap.processGroup
        record.command = snap.commandLine
        record.startedAt = snap.startedAt
        try PidFile.write(home, daemon, pid: pid)
        try record.save(home)
        return snap
    }

    /// Every daemon with a PID file.
    public func knownDaemons() -> [String] {
        ((try? FileSystem.list(home.pidsDir)) ?? []).filter { $0.hasSuffix(".pid") }.map { String($0.dropLast(4)) }.sorted()
    }

    public struct Cleanup: Sendable, Equatable {
        public var removed: [(daemon: String, pid: Int32?, detail: String)]
        public var kept: [String]
        /// Kept although stale: the daemon runs as this other PID.
        public var outOfDate: [(daemon: String, runningAs: Int32)] = []
        public static func == (a: Cleanup, b: Cleanup) -> Bool {
            a.removed.map(\.daemon) == b.removed.map(\.daemon) && a.kept == b.kept
        }
    }

    /// Removes stale PID files only (never one that names the running daemon).
    /// A daemon whose record names a live process is never stale here, even when the PID
    /// file is out of step with it (a write the full disk refused): that file is kept.
    public func cleanup() -> Cleanup {
        var result = Cleanup(removed: [], kept: [], outOfDate: [])
        var tagged: TaggedProcesses?
        for daemon in knownDaemons() {
            let v = verify(daemon)
            if v.verdict == .stale {
                // A file left behind while the daemon runs on as another PID (a write the
                // full disk refused) is out of date, not stale: the running daemon keeps it.
                if tagged == nil { tagged = TaggedProcesses.scan(home) }
                if let live = tagged?.roots(of: daemon).first {
                    result.kept.append(daemon)
                    result.outOfDate.append((daemon, live.pid))
                    continue
                }
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
