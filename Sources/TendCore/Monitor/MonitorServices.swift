import TendSystem

/// What the monitor's core needs from the world, as three seams: processes, clocks and
/// scripts. The real monitor plugs in the system and the script workers; the Monitor
/// tests plug in fakes and drive the core with no processes and no sleeps.

/// Starting, watching and signalling processes.
public protocol ProcessControl: AnyObject {
    /// Starts a daemon's process (its own session and process group, its output captured)
    /// and returns its identity.
    func spawn(_ spec: DaemonSpec, argv: [String], environment: [String: String]) throws -> ProcessIdentity
    func check(_ identity: ProcessIdentity) -> IdentityCheck
    /// Watches the exit of a process we did not start (adopted); false if it is gone.
    /// Its exit comes back through the loop as an `exited` event.
    func watch(_ identity: ProcessIdentity, of daemon: String) -> Bool
    func unwatch(_ daemon: String)
    /// The daemon left the configuration and no longer runs: let go of what it had (its
    /// output FIFOs).
    func release(_ daemon: String)
    /// Whether the process is our child (its exit then comes by SIGCHLD, with its status).
    func isChild(_ identity: ProcessIdentity) -> Bool
    /// One step of the stop sequence (see `Teardown`).
    @discardableResult
    func signal(_ target: StopTarget, _ signal: Signal) -> Int
    func remaining(_ target: StopTarget) -> [ProcessIdentity]
    /// The daemon's running process when its record does not name it (a write a full disk
    /// refused, a PID file another tool wrote): the top of its process tree found by its
    /// environment, else a PID file whose process has the declared command line.
    func findRunning(_ spec: DaemonSpec) -> ProcessIdentity?
    /// Live processes of the daemon's tree outside its process group (they left it).
    func strays(of daemon: String, outside group: Int32?) -> [ProcessIdentity]
}

/// The two clocks: wall time for what is persisted and shown, monotonic for deadlines.
public protocol MonitorClock: AnyObject {
    var wall: Double { get }
    var monotonic: Double { get }
}

/// One question to a restart policy.
public struct PolicyQuestion: Sendable {
    public var daemon: String
    public var ticket: Int
    public var context: RestartContext
}

/// One health check to run.
public struct CheckRequest: Sendable {
    public var daemon: String
    public var spec: DaemonSpec
    public var pid: Int32
    /// Seconds the check may take.
    public var timeout: Double
}

/// A configuration read from daemons.lua (through whatever runs user Lua).
public struct LoadedConfiguration: Sendable {
    public var specs: [DaemonSpec]
    /// Per daemon with a health check: its interval and timeout, resolved from daemons.lua
    /// and the check script.
    public var checkTimings: [String: CheckTimings]
    /// Scripts the daemons name that have a problem (the configuration is still taken).
    public var scriptProblems: [ScriptState]

    public init(specs: [DaemonSpec], checkTimings: [String: CheckTimings] = [:], scriptProblems: [ScriptState] = []) {
        self.specs = specs
        self.checkTimings = checkTimings
        self.scriptProblems = scriptProblems
    }
}

public struct CheckTimings: Sendable, Equatable {
    public var interval: Double?
    public var timeout: Double?
    public init(interval: Double?, timeout: Double?) {
        self.interval = interval
        self.timeout = timeout
    }
}

/// Where the answers of a `ScriptService` go: into the core's queue, never handled by
/// recursion into the caller.
public protocol ScriptAnswers: AnyObject {
    func decided(_ daemon: String, ticket: Int, _ decision: RestartDecision)
    func policyUnavailable(_ daemon: String, ticket: Int, why: String)
    func checked(_ daemon: String, pid: Int32, _ result: HealthResult)
    func configurationLoaded(_ result: Result<LoadedConfiguration, ConfigurationProblem>)
}

/// Why a configuration was not loaded (the one in force stays).
public struct ConfigurationProblem: Error, Sendable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// Everything that runs user Lua for the monitor: restart policies, health checks and
/// daemons.lua. Every answer arrives later through `answers`; none may block the caller.
public protocol ScriptService: AnyObject {
    var answers: ScriptAnswers? { get set }
    func ask(_ question: PolicyQuestion)
    func check(_ request: CheckRequest)
    /// Reads daemons.lua (and the scripts it names) again.
    func loadConfiguration()
    /// The built-in policy, run in the monitor: for a question the policy did not answer.
    func fallbackDecision(_ context: RestartContext) -> RestartDecision
}

/// The real clocks.
public final class SystemClock: MonitorClock {
    public init() {}
    public var wall: Double { Clock.now() }
    public var monotonic: Double { Clock.monotonic() }
}
