#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Who a process is: its PID alone is not enough (PIDs are reused), so identity is the
/// PID plus the kernel's record of when that process started.
public struct ProcessIdentity: Equatable, Hashable, Sendable {
    public let pid: Int32
    /// Start time in the platform's unit (clock ticks since boot on Linux).
    public let startTime: UInt64

    public init(pid: Int32, startTime: UInt64) {
        self.pid = pid
        self.startTime = startTime
    }
}

/// What the kernel says about a process right now.
public struct ProcessSnapshot: Sendable, Equatable {
    public var pid: Int32
    public var parentPID: Int32
    public var processGroup: Int32
    public var session: Int32
    public var name: String
    /// One-letter kernel state (R running, S sleeping, Z zombie, …).
    public var state: String
    public var startTime: UInt64
    /// Wall-clock start, seconds since the epoch.
    public var startedAt: Double
    public var threads: Int
    public var residentBytes: Int64
    /// CPU seconds used (user + system).
    public var cpuSeconds: Double
    public var commandLine: [String]

    public var identity: ProcessIdentity { ProcessIdentity(pid: pid, startTime: startTime) }
    public var isZombie: Bool { state == "Z" }

    /// Average CPU use over the process's life, in percent of one core (like `ps`).
    public func cpuPercent(now: Double = Clock.now()) -> Double {
        let elapsed = now - startedAt
        return elapsed > 0 ? (cpuSeconds / elapsed) * 100 : 0
    }
}

/// How a process's identity compares with a recorded one.
public enum IdentityCheck: Equatable, Sendable {
    /// The same process is alive.
    case alive
    /// No process has that PID (or only a zombie).
    case gone
    /// Another process has taken the PID.
    case reused(by: ProcessSnapshot)
}

/// The platform seam for reading processes: one implementation per platform
/// (`ProcessTable+Linux.swift`, `ProcessTable+Darwin.swift`), the same API everywhere.
public enum ProcessTable {
    /// Compares the process now holding `identity.pid` with the recorded identity.
    public static func check(_ identity: ProcessIdentity) -> IdentityCheck {
        guard let snap = snapshot(identity.pid, withCommandLine: false), !snap.isZombie else { return .gone }
        return snap.startTime == identity.startTime ? .alive : .reused(by: snap)
    }

    /// The identity of the live process with this PID, if any.
    public static func identity(of pid: Int32) -> ProcessIdentity? {
        guard let snap = snapshot(pid, withCommandLine: false), !snap.isZombie else { return nil }
        return snap.identity
    }

    /// Live members of a process group (a scan of every process).
    public static func members(ofGroup group: Int32) -> [ProcessIdentity] {
        // The kernel says at once whether the group has any process left (the usual answer
        // after its leader died is no): only then is /proc read, all of it.
        guard group > 1, kill(-group, 0) == 0 || errno == EPERM else { return [] }
        return allPIDs().compactMap { pid in
            guard let snap = snapshot(pid, withCommandLine: false), !snap.isZombie, snap.processGroup == group else { return nil }
            return snap.identity
        }
    }
}
