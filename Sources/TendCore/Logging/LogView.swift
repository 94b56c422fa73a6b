import TendSystem

/// One file `tend logs` shows: a daemon's log, health.log or policy-hits.log.
public struct LogSource: Sendable, Equatable {
    /// The name a line is shown under when it names no daemon itself.
    public var label: String
    public var path: String

    public init(label: String, path: String) {
        self.label = label
        self.path = path
    }
}

/// A line of a log as `tend logs` orders, filters and shows it.
public struct LogEntry: Sendable, Equatable {
    /// nil for a line that is no record (written into the file by something else).
    public var record: LogRecord?
    public var line: String
    /// The record's time; a line that is no record takes the time of the record before it.
    public var ts: Double
    /// The record's daemon, else the source's label.
    public var daemon: String

    /// For `--json`: the record, or an info record holding a line that is none.
    public var asRecord: LogRecord {
        record ?? LogRecord(ts: ts, level: .info, daemon: daemon, msg: line)
    }
}

/// Which records are shown: at least `minimum`, and none older than `since`.
public struct LogFilter: Sendable {
    public var minimum: LogLevel
    public var since: Double?

    public init(minimum: LogLevel = .debug, since: Double? = nil) {
        self.minimum = minimum
        self.since = since
    }

    func accepts(_ line: String) -> Bool {
        // With nothing to filter on, no line is parsed here (it is parsed once, to show it).
        guard minimum > .debug || since != nil else { return true }
        let record = LogRecord.parse(line: line)
        return (record?.level ?? .info) >= minimum && !isOlder(record)
    }

    /// Reading backwards ends at the first record older than `since` (files are in time order).
    func isOlder(_ line: String) -> Bool { since != nil && isOlder(LogRecord.parse(line: line)) }

    private func isOlder(_ record: LogRecord?) -> Bool {
        guard let since, let record else { return false }
        return record.ts < since
    }
}

/// Several logs read as one, interleaved by time: each file keeps its own order, and the
/// next line shown is always the earliest of the files' next lines (a k-way merge).
public final class LogView {
    public let sources: [LogSource]
    public let filter: LogFilter
    private var followers: [LogFollower] = []
    /// Per source, the time of its last record (for lines that are no record).
    private var lastTimes: [Double]

    public init(sources: [LogSource], filter: LogFilter = LogFilter()) {
        self.sources = sources
        self.filter = filter
        lastTimes = Array(repeating: 0, count: sources.count)
    }

    /// The last `count` lines across the sources, oldest first.
    public func last(_ count: Int) throws -> [LogEntry] {
        let perSource = try sources.indices.map { i in
            entries(try LogTail.lastLines(path: sources[i].path, count: count, where: filter.accepts, until: filter.isOlder), source: i)
        }
        return Array(Self.interleave(perSource).suffix(count))
    }

    /// Starts following every source at its end; returns the last `count` lines before it.
    public func follow(last count: Int) throws -> [LogEntry] {
        followers = try sources.map { try LogFollower(path: $0.path) }
        let perSource = try sources.indices.map { i in
            entries(try followers[i].tail(count: count, where: filter.accepts, until: filter.isOlder), source: i)
        }
        return Array(Self.interleave(perSource).suffix(count))
    }

    /// Lines written since the last call (after `follow(last:)`), interleaved.
    public func poll() throws -> [LogEntry] {
        try Self.interleave(followers.indices.map { i in entries(try followers[i].poll().filter(filter.accepts), source: i) })
    }

    private func entries(_ lines: [String], source i: Int) -> [LogEntry] {
        let parsed = lines.map { LogRecord.parse(line: $0) }
        // A line before any record in this batch takes the first record's time after it.
        var time = lastTimes[i] > 0 ? lastTimes[i] : (parsed.lazy.compactMap { $0?.ts }.first ?? 0)
        var result: [LogEntry] = []
        for (line, record) in zip(lines, parsed) {
            if let record { time = record.ts }
            let daemon = record.map(\.daemon).flatMap { $0.isEmpty ? nil : $0 } ?? sources[i].label
            result.append(LogEntry(record: record, line: line, ts: time, daemon: daemon))
        }
        if time > 0 { lastTimes[i] = time }
        return result
    }

    /// Merges lists that are each in file order: the earliest head first, ties to the
    /// earlier list.
    static func interleave(_ lists: [[LogEntry]]) -> [LogEntry] {
        if lists.count == 1 { return lists[0] }
        var heads = Array(repeating: 0, count: lists.count)
        var merged: [LogEntry] = []
        merged.reserveCapacity(lists.reduce(0) { $0 + $1.count })
        while true {
            var best: Int?
            for i in lists.indices where heads[i] < lists[i].count {
                if best == nil || lists[i][heads[i]].ts < lists[best!][heads[best!]].ts { best = i }
            }
            guard let i = best else { return merged }
            merged.append(lists[i][heads[i]])
            heads[i] += 1
        }
    }
}
