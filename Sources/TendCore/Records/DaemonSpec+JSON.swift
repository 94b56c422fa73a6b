/// A spec as it crosses to and from the script worker (`daemon` of a request, `specs` of
/// a load reply). The keys are those the Codable form had: camelCase, and the enums as
/// `{"command": {"_0": [...]}}`, `{"named": {"_0": "tcp_port", "arguments": {...}}}`.
extension DaemonSpec: JSONCodable {
    public var jsonValue: JSONValue {
        .members(["name": name, "run": run, "environment": environment, "workingDirectory": workingDirectory,
                  "stopTimeout": stopTimeout, "restart": restart, "health": health, "policy": policy,
                  "declaredAt": declaredAt, "forking": forking, "pidFile": pidFile, "after": after,
                  "readyTimeout": readyTimeout, "envFile": envFile, "limits": limits])
    }

    /// Specs written before `forking`, `pidFile`, `after`, `readyTimeout`, `envFile` and
    /// `limits` existed decode too: those take their defaults.
    public init(jsonValue: JSONValue) throws {
        let o = try JSONObjectReader(jsonValue)
        self.init(name: try o("name"), run: try o("run"), environment: try o("environment"),
                  workingDirectory: try o.optional("workingDirectory"), stopTimeout: try o("stopTimeout"),
                  restart: try o("restart"), health: try o.optional("health"), policy: try o("policy"),
                  declaredAt: try o("declaredAt"), after: try o("after", default: []),
                  readyTimeout: try o("readyTimeout", default: Self.defaultReadyTimeout), envFile: try o.optional("envFile"),
                  limits: try o("limits", default: ResourceLimits()))
        forking = try o("forking", default: false)
        pidFile = try o.optional("pidFile")
    }
}

extension DaemonSpec.Run: JSONCodable {
    public var jsonValue: JSONValue {
        switch self {
        case .command(let argv): return .object(["command": .members(["_0": argv])])
        case .plugin(let plugin): return .object(["plugin": .members(["_0": plugin])])
        }
    }

    public init(jsonValue: JSONValue) throws {
        let o = try JSONObjectReader(jsonValue)
        if o.has("command") { self = try o.nested("command") { .command(try $0("_0")) } }
        else if o.has("plugin") { self = try o.nested("plugin") { .plugin(try $0("_0")) } }
        else { throw JSONCodingError.expected(#"{"command": …} or {"plugin": …}"#, found: jsonValue) }
    }
}

extension DaemonSpec.Health: JSONCodable {
    public var jsonValue: JSONValue {
        switch self {
        case .named(let name, let arguments): return .object(["named": .members(["_0": name, "arguments": arguments])])
        case .inline(let key, let arguments): return .object(["inline": .members(["key": key, "arguments": arguments])])
        }
    }

    public init(jsonValue: JSONValue) throws {
        let o = try JSONObjectReader(jsonValue)
        if o.has("named") { self = try o.nested("named") { .named(try $0("_0"), arguments: try $0("arguments")) } }
        else if o.has("inline") { self = try o.nested("inline") { .inline(key: try $0("key"), arguments: try $0("arguments")) } }
        else { throw JSONCodingError.expected(#"{"named": …} or {"inline": …}"#, found: jsonValue) }
    }
}

extension RestartLimits: JSONCodable {
    public var jsonValue: JSONValue {
        .members(["maxPerHour": maxPerHour, "cooldown": cooldown])
    }

    public init(jsonValue: JSONValue) throws {
        let o = try JSONObjectReader(jsonValue)
        self.init(maxPerHour: try o("maxPerHour"), cooldown: try o("cooldown"))
    }
}
