/// Where status comes from: a running monitor answers from what it holds (no daemons.lua
/// is read, and it is right even when the disk refused to record it); without one, the
/// state files and /proc.
extension StatusReport {
    /// The status of `names` (empty: every daemon). `declared` gives daemons.lua's daemons,
    /// read only when no monitor answers.
    public static func current(_ home: Home, names: [String] = [], declared: () throws -> [DaemonSpec]) throws -> StatusReport {
        if let answer = try ControlClient.sendIfListening(ControlRequest(.status, names: names), home: home, timeout: 10) {
            if let error = answer.error { throw StatusJSONError(error) }
            if let report = answer.report { return try StatusReport(json: report) }
        }
        let specs = try declared()
        let unknown = names.filter { name in !specs.contains { $0.name == name } }
        if !unknown.isEmpty {
            throw StatusJSONError("unknown daemon: \(unknown.joined(separator: ", ")) (known: \(specs.map(\.name).joined(separator: ", ")))")
        }
        let selected = names.isEmpty ? specs : specs.filter { names.contains($0.name) }
        return read(selected, home: home, withUndeclared: names.isEmpty)
    }
}
