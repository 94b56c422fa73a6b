import Logging
import TendSystem

/// A swift-log backend writing through a `DaemonLogger`, so Tend's own Swift code logs
/// the ordinary way (`Logger(label:)`) and the records land in the same files, with
/// the same routing, as everything else. Metadata becomes record fields.
public struct TendLogHandler: LogHandler {
    public let label: String
    public let logger: DaemonLogger
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    public var logLevel: Logger.Level

    public init(label: String, logger: DaemonLogger, logLevel: Logger.Level = .info,
                metadataProvider: Logger.MetadataProvider? = nil) {
        self.label = label
        self.logger = logger
        self.logLevel = logLevel
        self.metadataProvider = metadataProvider
    }

    /// Makes every `Logger` of this process write to `daemon`'s log in `home`. Call once.
    public static func bootstrap(home: Home, daemon: String, logLevel: Logger.Level = .info,
                                 rotation: RotationOptions = .fromEnvironment()) {
        let target = DaemonLogger(home: home, daemon: daemon, rotation: rotation)
        LoggingSystem.bootstrap { label in TendLogHandler(label: label, logger: target, logLevel: logLevel) }
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var merged = metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { _, new in new } }
        if let own = event.metadata { merged.merge(own) { _, new in new } }
        var fields = merged.mapValues(TendLogHandler.json)
        fields["label"] = .string(label)
        if let error = event.error { fields["error"] = .string(String(describing: error)) }
        let record = LogRecord(level: TendLogHandler.level(event.level), daemon: logger.daemon,
                               msg: event.message.description, fields: fields)
        do {
            try logger.write(record)
        } catch {
            // A log handler cannot throw; say so on stderr rather than vanish.
            let text = "tend: cannot write log record for \(logger.daemon): \(error)\n"
            try? FileSystem.writeAll(2, Array(text.utf8))
        }
    }

    /// trace/debug → debug, info/notice → info, then one to one.
    public static func level(_ level: Logger.Level) -> LogLevel {
        switch level {
        case .trace, .debug: return .debug
        case .info, .notice: return .info
        case .warning: return .warning
        case .error: return .error
        case .critical: return .critical
        }
    }

    static func json(_ value: Logger.MetadataValue) -> JSONValue {
        switch value {
        case .string(let s): return .string(s)
        case .stringConvertible(let c): return .string(c.description)
        case .array(let a): return .array(a.map(json))
        case .dictionary(let d): return .object(d.mapValues(json))
        }
    }
}
