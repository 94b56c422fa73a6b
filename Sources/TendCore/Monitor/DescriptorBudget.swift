import TendSystem

/// How many descriptors a home's processes hold for its daemons, against the open-file
/// limit. The log writer holds the most: for each daemon the read ends of its two output
/// FIFOs, their two capture state files and its log; the monitor holds the FIFOs' write
/// ends, the log and, for an adopted daemon, an exit descriptor. Both raise their soft
/// limit to the hard one at start, so the hard limit is what counts.
public enum DescriptorBudget {
    /// The log writer's, the larger of the two.
    public static let perDaemon = 5
    /// Sockets, locks, shared logs, pipes to the script workers, the inotify watch, and
    /// room for a check's probe.
    public static let fixed = 64

    public static func needed(daemons: Int) -> Int { fixed + perDaemon * daemons }

    /// The daemons that fit: what the limit leaves after the fixed part.
    public static func fitting(_ limit: OpenFileLimit) -> Int {
        max(0, (Int(clamping: limit.hard) - fixed) / perDaemon)
    }

    /// Why `daemons` declared daemons would not fit under `limit` (nil: they fit).
    public static func shortfall(daemons: Int, limit: OpenFileLimit) -> String? {
        guard needed(daemons: daemons) > Int(clamping: limit.hard) else { return nil }
        return "\(daemons) daemons need about \(needed(daemons: daemons)) open files (\(perDaemon) a daemon, in the log writer), "
            + "but the hard limit is \(limit.hard): about \(fitting(limit)) fit; raise it (ulimit -Hn, or LimitNOFILE= in the service) or declare fewer"
    }
}
