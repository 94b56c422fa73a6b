#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// RLIMIT_NOFILE of this process. A supervisor holds descriptors per daemon, so it raises
/// its own soft limit to the hard one at start, and gives its daemons the soft limit it
/// found (as systemd does): a program written for 1024 descriptors, with `select`, keeps
/// them.
public struct OpenFileLimit: Sendable, Equatable, CustomStringConvertible {
    public let soft: UInt64
    public let hard: UInt64

    public init(soft: UInt64, hard: UInt64) {
        self.soft = soft
        self.hard = hard
    }

    public static func current() -> OpenFileLimit {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return OpenFileLimit(soft: 1024, hard: 1024) }
        return OpenFileLimit(soft: UInt64(limit.rlim_cur), hard: UInt64(limit.rlim_max))
    }

    /// Raises the soft limit to the hard one. Returns the limit found and the limit in
    /// force afterwards.
    public static func raise() -> (found: OpenFileLimit, now: OpenFileLimit) {
        let found = current()
        guard found.soft < found.hard else { return (found, found) }
        var limit = rlimit(rlim_cur: rlim_t(found.hard), rlim_max: rlim_t(found.hard))
        return (found, setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 ? current() : found)
    }

    /// The limit to set in a child so that it gets `found` back (the hard limit stays).
    public static func restoring(_ found: OpenFileLimit) -> Spawner.Limit {
        Spawner.Limit(resource: Int32(RLIMIT_NOFILE.rawValue), soft: found.soft, hard: found.hard)
    }

    public var description: String {
        soft == hard ? "\(soft)" : "\(soft) (hard \(hard))"
    }
}
