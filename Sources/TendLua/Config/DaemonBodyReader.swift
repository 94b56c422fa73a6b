import CLuaShim
import TendCore

/// Reads the `{ … }` of one daemon declaration into a `DaemonSpec`, collecting every
/// problem (unknown key, wrong type, missing command) instead of stopping at the first.
struct DaemonBodyReader {
    static let keys = ["command", "plugin", "env", "cwd", "stop_timeout", "restart", "health", "policy", "forking", "pidfile"]

    let name: String
    let declaredAt: String
    let host: LuaHost
    private(set) var problems: [String] = []

    init(name: String, declaredAt: String, host: LuaHost) {
        self.name = name
        self.declaredAt = declaredAt
        self.host = host
    }

    private var s: LuaStack { host.vm.stack }

    mutating func read(_ d: Declaration) -> DaemonSpec? {
        guard let body = d.body else {
            problems.append("expected a table after the name, e.g. daemon \"\(name)\" { command = {…} }; got \(d.bodyDescription)")
            return nil
        }
        defer { host.vm.release(body) }
        s.push(body)
        defer { s.pop() }
        let t = s.top

        var spec = DaemonSpec(name: name, run: .command([]), declaredAt: declaredAt)
        var command: [String]?
        var plugin: String?
        var unknown: [String] = []
        s.forEach(t) {
            guard let key = s.string(at: -2) else {
                problems.append("unexpected value \(s.describeValue(at: -1)) at position \(s.describeKey(at: -2)): write key = value")
                return
            }
            switch key {
            case "command": command = stringList(key)
            case "plugin": plugin = scriptName(key, kind: .plugin)
            case "env": spec.environment = stringMap(key) ?? [:]
            case "cwd": spec.workingDirectory = string(key)
            case "stop_timeout": spec.stopTimeout = positiveNumber(key) ?? spec.stopTimeout
            case "restart": spec.restart = restartLimits() ?? spec.restart
            case "health": spec.health = health()
            case "policy": spec.policy = scriptName(key, kind: .policy) ?? spec.policy
            case "forking": spec.forking = bool(key) ?? false
            case "pidfile": spec.pidFile = absolutePath(key)
            default: unknown.append(key)
            }
        }
        for key in unknown.sorted() {
            problems.append("unknown key '\(key)' (known keys: \(Self.keys.joined(separator: ", ")))")
        }
        switch (command, plugin) {
        case (let argv?, nil): spec.run = .command(argv)
        case (nil, let p?): spec.run = .plugin(p)
        case (_?, _?): problems.append("give either 'command' or 'plugin', not both")
        case (nil, nil):
            // Only when neither key was written at all (a wrong one is already reported).
            if !hasKey(t, "command") && !hasKey(t, "plugin") {
                problems.append("missing 'command' (e.g. command = {\"/usr/bin/prog\", \"--flag\"}) or 'plugin' (a plugin name)")
            }
        }
        if spec.pidFile != nil { spec.forking = true }   // a PID file is what a forking program leaves
        return problems.isEmpty ? spec : nil
    }

    private func hasKey(_ t: Int32, _ key: String) -> Bool {
        defer { s.pop() }
        return s.rawGet(t, key) != LUA_TNIL
    }

    // MARK: Values (each reads the value on top of the stack, left there)

    private mutating func wrongType(_ key: String, _ expected: String) {
        problems.append("'\(key)' must be \(expected), got \(s.describeValue(at: -1))")
    }

    private mutating func string(_ key: String) -> String? {
        guard let v = s.string(at: -1) else { wrongType(key, "a string"); return nil }
        return v
    }

    private mutating func bool(_ key: String) -> Bool? {
        guard let v = s.bool(at: -1) else { wrongType(key, "true or false"); return nil }
        return v
    }

    private mutating func absolutePath(_ key: String) -> String? {
        guard let v = string(key) else { return nil }
        guard v.hasPrefix("/") else { problems.append("'\(key)' must be an absolute path, got \"\(v)\""); return nil }
        return v
    }

    private mutating func positiveNumber(_ key: String) -> Double? {
        guard let v = s.number(at: -1), v.isFinite, v > 0 else { wrongType(key, "a positive number of seconds"); return nil }
        return v
    }

    private mutating func scriptName(_ key: String, kind: ScriptPaths.Kind) -> String? {
        guard let v = string(key) else { return nil }
        if let problem = ScriptPaths.validateName(v, kind: kind) { problems.append("'\(key)': \(problem)"); return nil }
        return v
    }

    /// `{"/usr/bin/prog", "arg"}`: a non-empty list of strings and nothing else.
    private mutating func stringList(_ key: String) -> [String]? {
        guard s.isTable(at: -1) else { wrongType(key, "a list of strings, e.g. {\"/usr/bin/prog\", \"--flag\"}"); return nil }
        let n = s.rawLength(at: -1)
        var items: [String] = []
        var bad = false
        var count = 0
        s.forEach(-1) { count += 1 }
        for i in 0..<n {
            s.rawGet(-1, i + 1)
            if let v = s.string(at: -1) { items.append(v) }
            else if !bad { problems.append("'\(key)'[\(i + 1)] must be a string, got \(s.describeValue(at: -1))"); bad = true }
            s.pop()
        }
        if count != n { problems.append("'\(key)' must be a plain list of strings (no named keys)"); return nil }
        if items.isEmpty && !bad { problems.append("'\(key)' is empty: give at least the program to run"); return nil }
        return bad ? nil : items
    }

    /// `{KEY = "value"}`
    private mutating func stringMap(_ key: String) -> [String: String]? {
        guard s.isTable(at: -1) else { wrongType(key, "a table of strings, e.g. {PATH = \"/usr/bin\"}"); return nil }
        var result: [String: String] = [:]
        var errors: [String] = []
        s.forEach(-1) {
            guard let k = s.string(at: -2) else { errors.append("'\(key)' keys must be strings, got \(s.describeKey(at: -2))"); return }
            guard let v = s.string(at: -1) else { errors.append("'\(key).\(k)' must be a string, got \(s.describeValue(at: -1))"); return }
            result[k] = v
        }
        problems += errors.sorted()
        return errors.isEmpty ? result : nil
    }

    /// `{ max_per_hour = 3, cooldown = 60 }`; missing keys keep the seed's values.
    private mutating func restartLimits() -> RestartLimits? {
        guard s.isTable(at: -1) else { wrongType("restart", "a table { max_per_hour = N, cooldown = S }"); return nil }
        var limits = RestartLimits.seed
        var errors: [String] = []
        s.forEach(-1) {
            let k = s.string(at: -2) ?? s.describeKey(at: -2)
            switch k {
            case "max_per_hour":
                if let v = s.integer(at: -1), v >= 0, v <= Int64(Int32.max) { limits.maxPerHour = Int(v) }
                else { errors.append("'restart.max_per_hour' must be a whole number >= 0, got \(s.describeValue(at: -1))") }
            case "cooldown":
                if let v = s.number(at: -1), v.isFinite, v >= 0 { limits.cooldown = v }
                else { errors.append("'restart.cooldown' must be a number of seconds >= 0, got \(s.describeValue(at: -1))") }
            default:
                errors.append("unknown key 'restart.\(k)' (known keys: max_per_hour, cooldown)")
            }
        }
        problems += errors.sorted()
        return errors.isEmpty ? limits : nil
    }

    /// A check name, a table `{ check = NAME, interval = N, timeout = N, …args }`, or a function.
    private mutating func health() -> DaemonSpec.Health? {
        if s.isFunction(at: -1) {
            let key = "\(name)@\(declaredAt)"
            s.push(index: -1)
            host.storeInline(key: key)
            return .inline(key: key)
        }
        if s.string(at: -1) != nil {
            return scriptName("health", kind: .health).map { .named($0, arguments: [:]) }
        }
        guard s.isTable(at: -1) else {
            wrongType("health", "a check name, a table { check = \"NAME\", … } or a function")
            return nil
        }
        s.rawGet(-1, "check")
        let check = scriptName("health.check", kind: .health)
        s.pop()
        guard let check else { return nil }
        var arguments: [String: JSONValue]
        do {
            guard case .object(var o) = try s.json(at: -1, path: "health") else { return nil }
            o["check"] = nil
            arguments = o
        } catch {
            problems.append("\(error)")
            return nil
        }
        for key in ["interval", "timeout"] {
            if let v = arguments[key], (v.doubleValue.map { $0 <= 0 } ?? true) {
                problems.append("'health.\(key)' must be a positive number of seconds, got \(v)")
            }
        }
        return .named(check, arguments: arguments)
    }
}
