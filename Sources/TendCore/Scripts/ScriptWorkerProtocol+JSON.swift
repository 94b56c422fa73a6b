/// The messages' JSON, key for key as `docs/design/script-worker.md` gives them.

extension ScriptWorkerRequest: JSONCodable {
    public var jsonValue: JSONValue {
        switch self {
        case .load(let id, let preload, let skip):
            // Written only when not the default, as the design document gives them.
            let notPreloading: Bool? = preload ? nil : false
            return .members(["id": id, "op": op, "preload": notPreloading, "skip": skip.isEmpty ? nil : skip])
        case .decide(let id, let daemon, let exit, let history, let now):
            return .members(["id": id, "op": op, "daemon": daemon, "exit": exit, "history": history, "now": now])
        case .check(let id, let daemon, let pid):
            return .members(["id": id, "op": op, "daemon": daemon, "pid": pid])
        }
    }

    public init(jsonValue: JSONValue) throws {
        let o = try JSONObjectReader(jsonValue)
        let id: UInt64 = try o("id")
        switch try o("op") as String {
        case "load":
            self = .load(id: id, preload: try o("preload", default: true), skip: try o("skip", default: []))
        case "decide":
            self = .decide(id: id, daemon: try o("daemon"), exit: try o("exit"), history: try o("history", default: []),
                           now: try o("now"))
        case "check":
            self = .check(id: id, daemon: try o("daemon"), pid: try o.optional("pid"))
        case let other:
            throw o.failure("op", "unknown op '\(other)' (load, decide, check)")
        }
    }
}

extension LoadReply: JSONCodable {
    public var jsonValue: JSONValue {
        .members(["id": id, "ok": ok, "file": file, "specs": specs, "checks": checks, "problems": problems, "scripts": scripts])
    }

    public init(jsonValue: JSONValue) throws {
        let o = try JSONObjectReader(jsonValue)
        self.init(id: try o("id"), ok: try o("ok"), file: try o.optional("file"), specs: try o("specs"), checks: try o("checks"),
                  problems: try o("problems"), scripts: try o("scripts"))
    }
}

extension CheckSettings: JSONCodable {
    public var jsonValue: JSONValue {
        .members(["interval": interval, "timeout": timeout])
    }

    public init(jsonValue: JSONValue) throws {
        let o = try JSONObjectReader(jsonValue)
        self.init(interval: try o.optional("interval"), timeout: try o("timeout"))
    }
}

extension DecideReply: JSONCodable {
    public var jsonValue: JSONValue {
        .members(["id": id, "ok": ok, "decision": decision, "scripts": scripts])
    }

    public init(jsonValue: JSONValue) throws {
        let o = try JSONObjectReader(jsonValue)
        self.init(id: try o("id"), decision: try o("decision"), scripts: try o("scripts"))
        ok = try o("ok")
    }
}

extension PolicyDecision: JSONCodable {
    public var jsonValue: JSONValue {
        .members(["action": action, "delay": delay, "reason": reason, "policy": policy, "version": version])
    }

    public init(jsonValue: JSONValue) throws {
        let o = try JSONObjectReader(jsonValue)
        self.init(action: try o("action"), delay: try o.optional("delay"), reason: try o("reason"), policy: try o("policy"),
                  version: try o("version"))
    }
}

extension CheckReply: JSONCodable {
    public var jsonValue: JSONValue {
        .members(["id": id, "ok": ok, "health": health, "scripts": scripts])
    }

    public init(jsonValue: JSONValue) throws {
        let o = try JSONObjectReader(jsonValue)
        self.init(id: try o("id"), health: try o("health"), scripts: try o("scripts"))
        ok = try o("ok")
    }
}

extension FailedReply: JSONCodable {
    public var jsonValue: JSONValue {
        .members(["id": id, "ok": ok, "error": error])
    }

    public init(jsonValue: JSONValue) throws {
        let o = try JSONObjectReader(jsonValue)
        self.init(id: try o("id"), error: try o("error"))
        ok = try o("ok")
    }
}
