import TendSystem

/// The processes of one home's daemons, found by the environment every daemon's process
/// tree inherits (`TEND_HOME`, `TEND_DAEMON`): descendants that left the daemon's process
/// group or session still carry it, and so does a daemon whose records a full disk kept
/// from being written. Only one's own processes are readable, so strangers never match.
public struct TaggedProcesses: Sendable {
    public let byDaemon: [String: [ProcessSnapshot]]

    /// One pass over the process table.
    public static func scan(_ home: Home) -> TaggedProcesses {
        var found: [String: [ProcessSnapshot]] = [:]
        for (name, process) in ProcessTable.processes(withEnvironment: "TEND_HOME=\(home.root)", reporting: "TEND_DAEMON") {
            if let name { found[name, default: []].append(process) }
        }
        return TaggedProcesses(byDaemon: found)
    }

    public func all(of daemon: String) -> [ProcessSnapshot] { byDaemon[daemon] ?? [] }

    /// The tops of the daemon's trees: its processes whose parent is not one of them (the
    /// main process, and descendants whose parent is gone).
    public func roots(of daemon: String) -> [ProcessSnapshot] {
        let mine = all(of: daemon)
        let pids = Set(mine.map(\.pid))
        return mine.filter { !pids.contains($0.parentPID) }
    }
}
