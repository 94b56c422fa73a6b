import TendCore
import TendSystem

/// What loading cannot see: a policy whose `decide` fails (it calls `os.exit`, loops,
/// blocks in C) or a check that errs loads fine. The running monitor knows, from the
/// script workers' answers: `check-config` asks it (its status) and reports those too.
extension ConfigChecker {
    /// Adds the script problems the running monitor holds (none when no monitor runs or it
    /// does not answer within `timeout`), each as a problem at its `file:line`, and marks
    /// the daemons' scripts concerned broken.
    public static func addMonitorProblems(_ report: inout Report, home: Home, timeout: Double = 5) {
        guard let answer = try? ControlClient.sendIfListening(ControlRequest(.status), home: home, timeout: timeout),
              let json = answer.report, let status = try? StatusReport(json: json) else { return }
        var seen = Set(report.problems.map(\.description))
        for daemon in status.daemons {
            for said in monitorProblems(of: daemon) {
                guard let loc = LuaError.parseLocation(said), loc.file.hasSuffix(".lua") else { continue }
                let message = String(said.dropFirst("\(loc.file):\(loc.line): ".count))
                let problem = ScriptProblem(file: loc.file, line: loc.line,
                                            message: "\(message) (the running monitor, daemon '\(daemon.daemon)')")
                guard seen.insert(problem.description).inserted else { continue }
                report.problems.append(problem)
                for i in report.scripts.indices where report.scripts[i].daemon == daemon.daemon && report.scripts[i].state != .missing
                    && (report.scripts[i].file == loc.file || report.scripts[i].file.hasPrefix("\(loc.file):")) {
                    report.scripts[i].state = .broken
                }
            }
        }
    }

    /// `FILE:LINE: message` lines the monitor holds about one daemon: its script problems
    /// (the `script: …` parts of its reason) and a check error (health unknown).
    static func monitorProblems(of daemon: DaemonStatus) -> [String] {
        var said: [String] = []
        if let reason = daemon.reason, let first = reason.firstRange(of: "script: ") {
            said += reason[first.upperBound...].split(separator: "; script: ").map(String.init)
        }
        if let health = daemon.health, health.state == .unknown { said.append(health.reason) }
        return said
    }
}
