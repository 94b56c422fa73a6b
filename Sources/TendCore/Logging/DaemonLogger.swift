import TendSystem

/// Where a record is written. Every record goes to its daemon's log; some are copied
/// to the home-wide files people watch.
public enum LogDestination: String, Sendable, CaseIterable {
    /// `logs/daemons/NAME.log`
    case daemon
    /// `logs/health.log`: health events, and errors and criticals of every daemon.
    case health
    /// `logs/policy-hits.log`: every decision a policy took.
    case policyHits
}

/// The `type` values the seed's logger functions put in their records. Routing reads
/// them from the record itself, so a daemon that prints such a record to its output gets
/// the same routing as Swift or Lua code calling the function.
public enum LogRecordType {
    public static let healthEvent = "health_event"
    public static let policyHit = "policy_hit"
    public static let startup = "startup"
    public static let shutdown = "shutdown"
    public static let exception = "exception"
    public static let performance = "performance"
}

/// The seed's `daemon-logger.py` for one daemon: structured JSON Lines records, routed
/// to the daemon's own log, health.log and policy-hits.log. All functions go through
/// `write(_:)`, the one routing function.
public final class DaemonLogger: @unchecked Sendable {
    public let home: Home
    public let daemon: String
    public let rotation: RotationOptions

    private let daemonFile: RotatingLogFile
    private let healthFile: RotatingLogFile
    private let policyFile: RotatingLogFile
    /// When set, records go here and no file is opened or written.
    private let capture: LogCapture?

    /// Writers come from `registry`, so loggers of many daemons in one process share
    /// the health.log and policy-hits.log descriptors.
    public init(home: Home, daemon: String, rotation: RotationOptions = .fromEnvironment(),
                registry: LogFileRegistry = .shared, capture: LogCapture? = nil) {
        self.home = home
        self.daemon = daemon
        self.rotation = rotation
        self.capture = capture
        daemonFile = registry.file(at: home.daemonLog(daemon), options: rotation)
        healthFile = registry.file(at: home.healthLog, options: rotation)
        policyFile = registry.file(at: home.policyHitsLog, options: rotation)
    }

    /// The files a record belongs in: always the daemon log; health.log for error and
    /// critical records and health events; policy-hits.log for policy hits.
    public static func destinations(of record: LogRecord) -> [LogDestination] {
        var result: [LogDestination] = [.daemon]
        if record.level >= .error || record.type == LogRecordType.healthEvent { result.append(.health) }
        if record.type == LogRecordType.policyHit { result.append(.policyHits) }
        return result
    }

    public func write(_ record: LogRecord) throws {
        try write([record])
    }

    /// Writes records with one lock round-trip per file. A record without a daemon name
    /// gets this logger's. Every file is attempted even when one fails; the first error
    /// is thrown afterwards.
    public func write(_ records: [LogRecord]) throws {
        var pending = records.map(PendingLogRecord.init)
        try write(&pending)
    }

    /// `write(_:)` for records that may be partly written already: each goes only to the
    /// destinations it is still owed, and those that now hold it are marked, even when
    /// this throws — so writing the same array again (the monitor's retry) writes only
    /// what failed.
    public func write(_ pending: inout [PendingLogRecord]) throws {
        for i in pending.indices where pending[i].record.daemon.isEmpty { pending[i].record.daemon = daemon }
        if let capture {
            capture.append(pending.filter { !$0.owed.isEmpty }.map(\.record))
            for i in pending.indices { pending[i].written.formUnion(pending[i].owed) }
            return
        }
        // Per destination: which records it is owed (indices into `pending`), and their lines.
        var batches: [LogDestination: (records: [Int], lines: [String])] = [:]
        for (i, p) in pending.enumerated() {
            let owed = p.owed
            if owed.isEmpty { continue }
            let line = p.record.jsonLine()
            for destination in owed {
                batches[destination, default: ([], [])].records.append(i)
                batches[destination, default: ([], [])].lines.append(line)
            }
        }
        var firstError: Error?
        for destination in LogDestination.allCases {
            guard let batch = batches[destination] else { continue }
            var written = 0
            do {
                try file(for: destination).append(lines: batch.lines, written: &written)
            } catch {
                firstError = firstError ?? error
            }
            for i in batch.records.prefix(written) { pending[i].written.insert(destination) }
        }
        if let firstError { throw firstError }
    }

    /// The writer behind a destination (for tests and the monitor's diagnostics).
    public func file(for destination: LogDestination) -> RotatingLogFile {
        switch destination {
        case .daemon: return daemonFile
        case .health: return healthFile
        case .policyHits: return policyFile
        }
    }
}
