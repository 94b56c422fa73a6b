/// Where status comes from: a running monitor answers from what it holds (no daemons.lua
/// is read, and it is right even when the disk refused to record it); without one, the
/// state files and /proc.
extension StatusReport {
    /// The status of `names` (empty: every daemon). `declared` gives daemons.lua's daemons,
    /// read only when no monitor answers.
    public static func current(_ home: Home, names: [String] = [], declared: () throws -> [DaemonSpec]) throws -> StatusReport {
        if let answer = try monitorAnswer(home, names: names) { return try StatusReport(json: answer) }
        return try fromFiles(home, names: names, declared: declared)
    }

    /// `current` as JSON: a running monitor's answer as it came (`tend status --format
    /// json` prints it without decoding it into records and encoding them again).
    public static func currentJSON(_ home: Home, names: [String] = [], declared: () throws -> [DaemonSpec]) throws -> JSONValue {
        try monitorAnswer(home, names: names) ?? fromFiles(home, names: names, declared: declared).json
    }

    /// The running monitor's report, nil when no monitor answers.
    private static func monitorAnswer(_ home: Home, names: [String]) throws -> JSONValue? {
        guard let answer = try ControlClient.sendIfListening(ControlRequest(.status, names: names), home: home, timeout: 10) else { return nil }
        if let error = answer.error { throw StatusJSONError(error) }
        return answer.report
    }

    private static func fromFiles(_ home: Home, names: [String], declared: () throws -> [DaemonSpec]) throws -> StatusReport {
        let specs = try declared()
        let unknown = names.filter { name in !specs.contains { $0.name == name } }
        if !unknown.isEmpty {
            throw StatusJSONError("unknown daemon: \(unknown.joined(separator: ", ")) (known: \(specs.map(\.name).joined(separator: ", ")))")
        }
        let selected = names.isEmpty ? specs : specs.filter { names.contains($0.name) }
        return read(selected, home: home, withUndeclared: names.isEmpty)
    }
}
