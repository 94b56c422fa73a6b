import TendSystem

/// Daemons that daemons.lua no longer declares but whose recorded process still runs:
/// status lists them, `stop` reaches them, nothing restarts them.
public enum UndeclaredDaemons {
    /// Each as a spec rebuilt from its record (the command it was started with).
    public static func running(_ home: Home, declared: Set<String>) -> [DaemonSpec] {
        recordedNames(home).filter { !declared.contains($0) }.compactMap { name in
            guard let record = DaemonRecord.load(home, name), let process = record.process,
                  ProcessTable.check(process) == .alive else { return nil }
            return DaemonSpec(name: name, run: .command(record.command ?? []))
        }
    }

    /// The names that have a state record in the home.
    static func recordedNames(_ home: Home) -> [String] {
        ((try? FileSystem.list(home.stateDir)) ?? []).compactMap { file in
            guard file.hasSuffix(".json") else { return nil }
            let name = String(file.dropLast(5))
            return DaemonName.validateForDaemon(name) == nil ? name : nil
        }.sorted()
    }
}
