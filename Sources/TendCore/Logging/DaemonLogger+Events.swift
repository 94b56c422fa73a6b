#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import TendSystem

/// The seed logger's functions. Each builds one record and hands it to `write(_:)`;
/// extra fields are snake_case JSON, the way Lua and `jq` users read them.
extension DaemonLogger {
    public func log(_ level: LogLevel, _ message: String, fields: [String: JSONValue] = [:]) throws {
        try write(LogRecord(level: level, daemon: daemon, msg: message, fields: fields))
    }

    public func debug(_ message: String, fields: [String: JSONValue] = [:]) throws {
        try log(.debug, message, fields: fields)
    }

    public func info(_ message: String, fields: [String: JSONValue] = [:]) throws {
        try log(.info, message, fields: fields)
    }

    public func warning(_ message: String, fields: [String: JSONValue] = [:]) throws {
        try log(.warning, message, fields: fields)
    }

    /// Also copied to health.log.
    public func error(_ message: String, fields: [String: JSONValue] = [:]) throws {
        try log(.error, message, fields: fields)
    }

    /// Also copied to health.log.
    public func critical(_ message: String, fields: [String: JSONValue] = [:]) throws {
        try log(.critical, message, fields: fields)
    }

    /// A decision a policy took (`restart`, `rate limit`, …); also in policy-hits.log.
    public func policyHit(policy: String, action: String, context: String? = nil,
                          fields: [String: JSONValue] = [:]) throws {
        try write(policyHitRecord(policy: policy, action: action, context: context, fields: fields))
    }

    /// The record `policyHit` writes, for callers that batch their writes (the monitor
    /// writes after a restart, never before it).
    public func policyHitRecord(policy: String, action: String, context: String? = nil,
                                fields: [String: JSONValue] = [:]) -> LogRecord {
        var all = fields
        all["type"] = .string(LogRecordType.policyHit)
        all["policy"] = .string(policy)
        all["action"] = .string(action)
        if let context { all["context"] = .string(context) }
        let message = "policy \(policy): \(action)" + (context.map { " (\($0))" } ?? "")
        return LogRecord(level: .info, daemon: daemon, msg: message, fields: all)
    }

    /// A health observation (`probe_failed`, `recovered`, …); also in health.log.
    public func healthEvent(event: String, message: String, severity: LogLevel = .info,
                            fields: [String: JSONValue] = [:]) throws {
        try write(healthEventRecord(event: event, message: message, severity: severity, fields: fields))
    }

    /// The record `healthEvent` writes, for callers that batch their writes.
    public func healthEventRecord(event: String, message: String, severity: LogLevel = .info,
                                  fields: [String: JSONValue] = [:]) -> LogRecord {
        var all = fields
        all["type"] = .string(LogRecordType.healthEvent)
        all["event"] = .string(event)
        return LogRecord(level: severity, daemon: daemon, msg: message, fields: all)
    }

    public func startup(pid: Int32 = getpid()) throws {
        try log(.info, "started (pid \(pid))",
                fields: ["type": .string(LogRecordType.startup), "pid": .int(Int64(pid))])
    }

    public func shutdown(reason: String) throws {
        try log(.info, "stopped: \(reason)",
                fields: ["type": .string(LogRecordType.shutdown), "reason": .string(reason)])
    }

    /// An error with its traceback (Lua's, or a Swift error's description); level error,
    /// so it is also in health.log.
    public func exception(_ message: String, traceback: String? = nil, context: String? = nil,
                          fields: [String: JSONValue] = [:]) throws {
        var all = fields
        all["type"] = .string(LogRecordType.exception)
        if let traceback { all["traceback"] = .string(traceback) }
        if let context { all["context"] = .string(context) }
        try log(.error, message, fields: all)
    }

    /// How long an operation took; a failed one is logged as a warning.
    public func performance(operation: String, durationMs: Double, success: Bool = true,
                            fields: [String: JSONValue] = [:]) throws {
        var all = fields
        all["type"] = .string(LogRecordType.performance)
        all["operation"] = .string(operation)
        all["duration_ms"] = .double(durationMs)
        all["success"] = .bool(success)
        let rounded = (durationMs * 10).rounded() / 10
        try log(success ? .info : .warning,
                "\(operation) \(success ? "took" : "failed after") \(rounded) ms", fields: all)
    }
}
