import TendCore
import TendSystem

/// One death for `tend policy simulate` to replay: how long the process had run, and
/// how it ended. Written as JSON, `{ "uptime": s, "code": N }` or
/// `{ "uptime": s, "signal": "SIGKILL" }` (or `{ "uptime": s, "cause": "healthCheckFailed" }`
/// for a death that was no exit).
public struct SimulatedDeath: Sendable, Equatable {
    public var uptime: Double
    public var cause: DeathCause
    public var code: Int32?
    public var signal: Int32?

    public init(uptime: Double, cause: DeathCause, code: Int32? = nil, signal: Int32? = nil) {
        self.uptime = uptime
        self.cause = cause
        self.code = code
        self.signal = signal
    }

    /// The death a policy-hits.log record describes (`--from-history`).
    public init(_ hit: PolicyHit) {
        self.init(uptime: hit.exit.uptime ?? 0, cause: hit.exit.cause, code: hit.exit.code, signal: hit.exit.signal)
    }

    /// The exit a policy is shown, for a death at `at`.
    func exit(at: Double) -> ExitInfo {
        ExitInfo(cause: cause, code: code, signal: signal, at: at, uptime: uptime)
    }

    /// Why a list of deaths cannot be read, naming where (`deaths.json: death 2: …`).
    public struct InputError: Error, CustomStringConvertible {
        public let description: String
    }

    static let keys = ["uptime", "code", "signal", "cause"]

    /// Reads a JSON array of deaths; `source` names it in messages (a file, or `-`).
    public static func parseList(_ text: String, source: String) throws -> [SimulatedDeath] {
        let value: JSONValue
        do { value = try JSONValue.parse(text) } catch {
            let at = JSONSyntax.firstProblem(in: text).map { "\(source):\($0.line):\($0.column): not valid JSON: \($0.message)" }
            throw InputError(description: (at ?? "\(source): not valid JSON")
                             + "; expected an array such as [{\"uptime\": 3600, \"code\": 1}, {\"uptime\": 10, \"signal\": \"SIGKILL\"}]")
        }
        guard let items = value.arrayValue else {
            throw InputError(description: "\(source): expected a JSON array of deaths, got \(kind(of: value))")
        }
        return try items.enumerated().map { i, item in
            do { return try death(item) } catch let problem as InputError {
                throw InputError(description: "\(source): death \(i + 1): \(problem.description)")
            }
        }
    }

    private static func death(_ item: JSONValue) throws -> SimulatedDeath {
        guard let object = item.objectValue else {
            throw InputError(description: "expected an object like {\"uptime\": 10, \"code\": 1}, got \(kind(of: item))")
        }
        if let unknown = object.keys.sorted().first(where: { !keys.contains($0) }) {
            throw InputError(description: "unknown key '\(unknown)' (known keys: \(keys.joined(separator: ", ")))")
        }
        guard let uptime = object["uptime"]?.doubleValue, uptime.isFinite, uptime >= 0 else {
            throw InputError(description: "'uptime' must be a number of seconds >= 0, got \(object["uptime"].map(kind) ?? "nothing")")
        }
        switch (object["code"], object["signal"], object["cause"]) {
        case (let code?, nil, nil):
            guard let n = code.intValue, (0...255).contains(n) else {
                throw InputError(description: "'code' must be an exit code from 0 to 255, got \(kind(of: code))")
            }
            return SimulatedDeath(uptime: uptime, cause: .exited, code: Int32(n))
        case (nil, let signal?, nil):
            guard let number = signal.stringValue.flatMap({ Signal(parsing: $0)?.number }) ?? signal.intValue.map({ Int32(truncatingIfNeeded: $0) }),
                  (1...64).contains(number) else {
                throw InputError(description: "'signal' must be a signal name such as \"SIGKILL\", got \(kind(of: signal))")
            }
            return SimulatedDeath(uptime: uptime, cause: .killed, signal: number)
        case (nil, nil, let cause?):
            let others = ["exitedUnknown", "stalePID", "noPIDFile", "healthCheckFailed", "unknown"]
            guard let name = cause.stringValue, others.contains(name), let c = DeathCause(rawValue: name) else {
                throw InputError(description: "'cause' must be one of \(others.joined(separator: ", ")) (give 'code' or 'signal' for an exit), got \(kind(of: cause))")
            }
            return SimulatedDeath(uptime: uptime, cause: c)
        case (nil, nil, nil):
            throw InputError(description: "give how it ended: 'code' (an exit code) or 'signal' (e.g. \"SIGKILL\")")
        default:
            throw InputError(description: "give one of 'code', 'signal' or 'cause', not several")
        }
    }

    /// `"a string \"x\""`, `the number 3`, `an array`, … for messages.
    private static func kind(of value: JSONValue) -> String {
        switch value {
        case .null: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .int, .double: return "the number \(value.serialized())"
        case .string(let s): return "the string \(JSONValue.string(String(s.prefix(40))).serialized())"
        case .array: return "an array"
        case .object: return "an object"
        }
    }
}
