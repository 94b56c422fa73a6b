import TendSystem

/// The log records for captured segments of one stream: `{"ts":…,"level":"info",
/// "daemon":NAME,"msg":LINE,"stream":"stdout"}`, with `"partial":true` for a piece of a
/// line. A line that already is a Tend record (a daemon printing `{"level":"error",…}`)
/// is kept as that record, for this daemon, with the stream added. Given the same bytes
/// and time the output is the same, byte for byte: a restarted log writer rebuilds what
/// its predecessor was writing to find out how much of it reached the file.
public struct CaptureEncoder: Sendable {
    public let daemon: String
    public let stream: CaptureStream

    /// One record line (with its newline), and the other logs that want a copy of it.
    public struct Record: Sendable, Equatable {
        public var bytes: [UInt8]
        public var alsoTo: [LogDestination] = []
    }

    public init(daemon: String, stream: CaptureStream) {
        self.daemon = daemon
        self.stream = stream
    }

    /// The record for one segment of `bytes`.
    public func record(_ segment: LineSegment, of bytes: UnsafeBufferPointer<UInt8>, at ts: Double) -> Record {
        record(segment, of: bytes, at: ts, head: head(at: ts))
    }

    /// Every segment's record, in order.
    public func records(_ segments: [LineSegment], of bytes: UnsafeBufferPointer<UInt8>, at ts: Double) -> [Record] {
        let head = head(at: ts)
        return segments.map { record($0, of: bytes, at: ts, head: head) }
    }

    private func record(_ segment: LineSegment, of bytes: UnsafeBufferPointer<UInt8>, at ts: Double, head: [UInt8]) -> Record {
        var end = segment.end - (segment.complete ? 1 : 0)
        if segment.complete && end > segment.start && bytes[end - 1] == UInt8(ascii: "\r") { end -= 1 }
        let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[segment.start..<end]), as: UTF8.self)
        if segment.complete, text.first == "{" || text.first == " " || text.first == "\t",
           var record = LogRecord.parse(line: text, defaultTime: ts),
           record.daemon.isEmpty || record.daemon == daemon {
            record.daemon = daemon
            if record.fields["stream"] == nil { record.fields["stream"] = .string(stream.rawValue) }
            return Record(bytes: Array((record.jsonLine() + "\n").utf8),
                          alsoTo: Array(DaemonLogger.destinations(of: record).dropFirst()))
        }
        // What `LogRecord(…, fields: ["stream": …, "partial": true]).jsonLine()` gives,
        // built without a dictionary: this is the one record written per captured line.
        var out = head
        out.reserveCapacity(head.count + text.utf8.count + 48)
        JSONValue.appendString(text, to: &out)
        if !segment.complete { out += Array(",\"partial\":true".utf8) }
        out += Array(",\"stream\":\"\(stream.rawValue)\"}\n".utf8)
        return Record(bytes: out)
    }

    /// `{"ts":"…","level":"info","daemon":NAME,"msg":` — the same for a whole batch.
    private func head(at ts: Double) -> [UInt8] {
        var out = Array("{\"ts\":\"\(Clock.iso8601(ts))\",\"level\":\"info\",\"daemon\":".utf8)
        JSONValue.appendString(daemon, to: &out)
        return out + ",\"msg\":".utf8
    }

    /// "N lines dropped: REASON" (a warning), written when writing works again.
    public func droppedWarning(count: Int, reason: String, at ts: Double) -> Record {
        let record = LogRecord(ts: ts, level: .warning, daemon: daemon, msg: "\(count) lines dropped: \(reason)",
                               fields: ["stream": .string(stream.rawValue), "dropped": .int(Int64(count))])
        return Record(bytes: Array((record.jsonLine() + "\n").utf8))
    }
}
