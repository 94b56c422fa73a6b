import TendSystem

/// `tend why NAME`: one decision of a daemon's policy (from policy-hits.log) and what
/// followed it (from the restart history and the daemon's record).
public struct DecisionExplanation: Sendable, Equatable {
    public enum Outcome: Sendable, Equatable {
        /// The monitor restarted it; the new PID when known.
        case restarted(pid: Int32?, at: Double)
        case restartFailed(error: String, at: Double)
        /// The newest decision was a wait and the restart is still due.
        case waiting(until: Double)
        /// The newest decision was stay_down and the daemon is still held down.
        case heldDown
        /// Stayed down (a later decision shows it ran again: someone started it).
        case stayedDown
        /// No restart followed, and why not as far as the records tell.
        case notRestarted(String)
    }

    public var hit: PolicyHit
    public var outcome: Outcome

    /// The newest `count` decisions about `name`, oldest first.
    public static func read(_ name: String, home: Home, count: Int) throws -> [DecisionExplanation] {
        let hits = try PolicyHit.load(home, daemon: name, count: count)
        let (history, _) = RestartHistory.load(home, name)
        let record = DaemonRecord.load(home, name)
        return hits.enumerated().map { i, hit in
            let next = i + 1 < hits.count ? hits[i + 1] : nil
            return DecisionExplanation(hit: hit, outcome: outcome(of: hit, next: next, history: history, record: record))
        }
    }

    /// What followed `hit`: an automatic restart recorded after it (and before the next
    /// decision), or, for the newest decision, what the daemon's record says now.
    static func outcome(of hit: PolicyHit, next: PolicyHit?, history: RestartHistory, record: DaemonRecord?) -> Outcome {
        // History times are kept to the millisecond: allow for the rounding.
        let window = (hit.ts - 0.001)..<(next?.ts ?? .infinity)
        let restart = history.events.first { e in
            !e.manual && window.contains(e.time) && (hit.exit.pid == nil || e.oldPID == nil || e.oldPID == hit.exit.pid)
        }
        let newest = next == nil
        if hit.decision.action != .stayDown, let restart {
            return restart.success ? .restarted(pid: hit.newPID ?? restart.newPID, at: restart.time)
                                   : .restartFailed(error: restart.error ?? "the program could not be started", at: restart.time)
        }
        switch hit.decision.action {
        case .restartNow:
            if let pid = hit.newPID { return .restarted(pid: pid, at: hit.ts) }
            return .notRestarted("no restart was recorded")
        case .restartAfter:
            if newest, let due = record?.nextAttemptAt { return .waiting(until: due) }
            if newest, record?.wanted == .down { return .notRestarted("stopped by hand (tend stop) before the restart was due") }
            return .notRestarted("no automatic restart followed (started by hand, or no monitor ran when it was due)")
        case .stayDown:
            return newest && record?.heldDownReason != nil ? .heldDown : .stayedDown
        }
    }
}
