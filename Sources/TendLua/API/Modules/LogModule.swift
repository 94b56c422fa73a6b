#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import TendCore

/// `tend.log`: the seed logger's functions, writing JSON Lines records for the daemon the
/// host was created for (`logs/daemons/NAME.log`; errors and health events also in
/// health.log, policy hits in policy-hits.log). A failed write returns `nil, "message"`.
enum LogModule {
    static let functions: [HostFunctionSpec] = levels + [
        log("policy_hit", params: ["policy: string", "action: string", "context?: string", "fields?: table"],
            doc: "A decision a policy took; also written to policy-hits.log.") { logger, call in
            try logger.policyHit(policy: try call.string(1), action: try call.string(2),
                                 context: try call.optionalString(3), fields: try fields(call, 4))
        },
        log("health_event", params: ["event: string", "message: string", "severity?: string"],
            doc: "A health observation (`probe_failed`, `recovered`, …); also written to health.log. Severity is a level name (default `info`).") { logger, call in
            let (event, message) = (try call.string(1), try call.string(2))
            let severity = try level(call, 3) ?? .info
            try logger.healthEvent(event: event, message: message, severity: severity, fields: try fields(call, 4))
        },
        log("startup", params: ["pid?: integer"], doc: "Records that the daemon started (default PID: this process).") { logger, call in
            try logger.startup(pid: try call.isNil(1) ? getpid() : call.pid(1))
        },
        log("shutdown", params: ["reason: string"], doc: "Records that the daemon stopped, and why.") { logger, call in
            try logger.shutdown(reason: try call.string(1))
        },
        log("exception", params: ["message: string", "traceback?: string", "context?: string"],
            doc: "An error with its traceback (e.g. from `xpcall(f, debug.traceback)`); level error.") { logger, call in
            try logger.exception(try call.string(1), traceback: try call.optionalString(2), context: try call.optionalString(3))
        },
        log("performance", params: ["operation: string", "ms: number", "ok?: boolean"],
            doc: "How long an operation took, in milliseconds; a failed one (`ok == false`) is a warning.") { logger, call in
            let ok = call.isNil(3) ? true : try call.bool(3)
            try logger.performance(operation: try call.string(1), durationMs: try call.number(2), success: ok,
                                   fields: try fields(call, 4))
        },
    ]

    /// debug … critical: `(message, fields?)`.
    private static let levels: [HostFunctionSpec] = LogLevel.allCases.map { level in
        log(level.rawValue, params: ["message: string", "fields?: table"],
            doc: "A record at level \(level.rawValue)\(level >= .error ? "; also written to health.log" : "") with optional structured fields.") { logger, call in
            try logger.log(level, try call.string(1), fields: try fields(call, 2))
        }
    }

    private static func log(_ name: String, params: [String], doc: String,
                            _ body: @escaping @Sendable (DaemonLogger, LuaCall) throws -> Void) -> HostFunctionSpec {
        HostFunctionSpec("tend.log", name, params: params, returns: ["boolean?", "string?"],
                         returnDoc: "true, or nil and why the record could not be written", doc: doc) { ctx in
            { call in
                let logger = ctx.logger
                do {
                    try body(logger, call)
                } catch let e as LuaArgumentError {
                    throw e
                } catch {
                    return call.failure("cannot write log record: \(error)")
                }
                call.stack.push(true)
                return 1
            }
        }
    }

    /// Structured fields: an object (a table with string keys) or nothing.
    private static func fields(_ call: LuaCall, _ i: Int32) throws -> [String: JSONValue] {
        guard let value = try call.optionalTable(i) else { return [:] }
        if case .object(let o) = value { return o }
        if case .array(let a) = value, a.isEmpty { return [:] }
        throw LuaArgumentError(position: i, function: call.function, problem: "fields must be a table with string keys")
    }

    private static func level(_ call: LuaCall, _ i: Int32) throws -> LogLevel? {
        guard let name = try call.optionalString(i) else { return nil }
        guard let level = LogLevel(parsing: name) else {
            throw LuaArgumentError(position: i, function: call.function, problem: "unknown level '\(name)' (\(LogLevel.names))")
        }
        return level
    }
}
