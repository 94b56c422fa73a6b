/// Broken scripts, where users look: each problem the script workers report goes to
/// health.log once (with its file and line), and stays on the daemons it concerns for
/// `tend status`, until a version that works is in force again.
extension MonitorCore {
    /// A configuration was loaded: its scripts' problems replace the ones known.
    func noteScriptProblems(_ problems: [ScriptState]) {
        let current = Set(problems.map(\.description))
        for problem in problems where !reportedScriptProblems.contains(problem.description) {
            try? monitorLog.healthEvent(event: "script_error", message: problem.description, severity: .error)
        }
        reportedScriptProblems = current
        for rt in daemons.values {
            rt.scriptProblems = problems.filter { concerns($0, rt.spec) }.map(\.description)
        }
    }

    /// A decision came: the policy's own problem, if the newest version did not decide;
    /// if it did, what was known against the policy is past (a fixed file, a `chmod go-w`).
    func noteDecisionProblem(_ rt: DaemonRuntime, _ decision: RestartDecision) {
        guard decision.version != .current else {
            return forget(rt) { $0.hasPrefix("\(decision.policy):") || $0.hasPrefix("\(rt.spec.policy):") }
        }
        guard let problem = decision.problem else { return }
        // The problem names its file when Lua knew where it was (`FILE:LINE: …`); else the
        // policy is named in front of it.
        let named = problem.hasPrefix("/") ? problem : "\(decision.policy): \(problem)"
        let said = "\(named) (\(decision.version == .lastGood ? "the last good version decided" : "the built-in policy decided"))"
        if !rt.scriptProblems.contains(said) { rt.scriptProblems.append(said) }
        guard reportedScriptProblems.insert(said).inserted else { return }
        rt.pendingLog.append(rt.logger.healthEventRecord(event: "script_error", message: said, severity: .error))
    }

    /// A check answered (healthy or unhealthy, not a check error): its script works now.
    func noteCheckWorked(_ rt: DaemonRuntime) {
        guard case .named(let check, _)? = rt.spec.health else { return }
        forget(rt) { $0.contains("/policies/health/\(check).lua:") }
    }

    /// Drops the daemon's script problems that `isPast`; one that comes back is said again.
    private func forget(_ rt: DaemonRuntime, _ isPast: (String) -> Bool) {
        guard rt.scriptProblems.contains(where: isPast) else { return }
        for said in rt.scriptProblems where isPast(said) { reportedScriptProblems.remove(said) }
        rt.scriptProblems.removeAll(where: isPast)
    }

    /// Whether a script problem is about a script this daemon names.
    private func concerns(_ problem: ScriptState, _ spec: DaemonSpec) -> Bool {
        switch problem.kind {
        case .policy: return problem.file.hasSuffix("/policies/\(spec.policy).lua") || problem.file == spec.policy
        case .health:
            guard case .named(let check, _)? = spec.health else { return problem.file == spec.declaredAt.split(separator: ":").first.map(String.init) }
            return problem.file.hasSuffix("/policies/health/\(check).lua")
        case .config: return false
        }
    }
}
