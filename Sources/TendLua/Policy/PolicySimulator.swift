import TendCore
import TendSystem

/// `tend policy simulate`: replays deaths through a daemon's restart policy the way the
/// monitor meets them — the same `LuaRestartPolicy.decide`, the same `RestartHistory`
/// (one automatic restart appended after each decision to restart, at the time the
/// restart happens), the same fallback when the policy is broken — on a simulated clock.
///
/// It changes nothing: the Lua state is a dry run (`tend.log` records are captured and
/// shown, functions that start, signal or write do nothing), no process is started, no
/// monitor is asked, no file is written.
public final class PolicySimulator {
    /// One death and what the policy made of it.
    public struct Step: Sendable {
        /// Seconds from the simulated start to the death.
        public var at: Double
        public var exit: ExitInfo
        public var decision: RestartDecision
        /// What the policy logged while deciding (not written anywhere).
        public var logged: [LogRecord]
    }

    public struct Result: Sendable {
        /// Wall time of the simulated start (policies may read the clock: quiet hours).
        public var start: Double
        public var steps: [Step]
        /// Deaths left out because a decision said stay down.
        public var notReplayed: Int
        /// Script problems (`file:line: …`) met while deciding.
        public var problems: [String]
    }

    public let daemon: DaemonSpec
    /// The file asked for decisions: `--policy FILE`, else the daemon's policy on the
    /// search path (its name when no file has it).
    public let policyFile: String
    private let policy: LuaRestartPolicy
    private let capture = LogCapture()
    private let problems = ProblemList()

    /// `file`: an edited policy to try in place of the daemon's (`--policy FILE`).
    public init(daemon: DaemonSpec, home: Home, paths: ScriptPaths, file: String? = nil) throws {
        self.daemon = daemon
        let host = try LuaHost(home: home, paths: paths, logName: DaemonName.reserved, dryRun: capture)
        let problems = self.problems
        policy = try LuaRestartPolicy(host: host, report: { problems.items.append($0) })
        if let file {
            policyFile = FileSystem.absolute(file)
            policy.pin(daemon.policy, to: policyFile)
        } else {
            policyFile = paths.find(daemon.policy, kind: .policy) ?? daemon.policy
        }
    }

    /// Replays `deaths`: the first one `uptime` seconds after `start`, each later one
    /// `uptime` seconds after the restart the previous decision led to.
    public func run(_ deaths: [SimulatedDeath], start: Double = Clock.now()) -> Result {
        var history = RestartHistory()
        var result = Result(start: start, steps: [], notReplayed: 0, problems: [])
        var runningSince = start
        replay: for (i, death) in deaths.enumerated() {
            let at = runningSince + death.uptime
            let exit = death.exit(at: at)
            let decision = policy.decide(RestartContext(daemon: daemon, exit: exit, history: history, now: at))
            result.steps.append(Step(at: at - start, exit: exit, decision: decision, logged: capture.drain()))
            let restartAt: Double
            switch decision.action {
            case .restartNow: restartAt = at
            case .restartAfter(let delay): restartAt = at + delay
            case .stayDown:
                result.notReplayed = deaths.count - i - 1
                break replay
            }
            // What the monitor records when it restarts the daemon on the policy's word.
            history.append(RestartEvent(time: restartAt, reason: exit.reason, oldPID: nil, newPID: nil, success: true))
            runningSince = restartAt
        }
        result.problems = problems.items
        return result
    }
}

/// Problems reported while deciding, collected from the policy's reporter.
private final class ProblemList {
    var items: [String] = []
}
