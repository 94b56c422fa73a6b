import TendSystem

/// A named type that is a union of others (`---@alias` for LuaLS).
public struct HostAliasSpec: Sendable {
    public let name: String
    public let doc: String
    public let type: String
}

/// A global function a kind of script sees besides `tend` (the daemons.lua DSL).
public struct GlobalFunctionSpec: Sendable {
    public let name: String
    public let doc: String
    /// `"name: type"`, as in `HostFunctionSpec`.
    public let params: [String]
    public let returns: [String]
    /// Other ways to call it, as LuaLS `fun(…)` types.
    public let overloads: [String]
}

/// The shapes scripts receive and return, and the daemons.lua DSL: what the reference
/// and the editor stubs say of everything that is not a `tend` function. Tests hold each
/// shape to what the host really builds or reads (ScriptTypesTests), so they cannot drift.
public enum ScriptTypes {
    public static let aliases: [HostAliasSpec] = [
        HostAliasSpec(name: "tend.Signal", doc: "A signal, by name (`exit.signal`, `tend.process.run`'s result); `\"signal N\"` for one without a name.",
                      type: Signal.names.map { "\"\($0)\"" }.joined(separator: "|") + "|string"),
    ]

    /// What each kind of script returns, and what it is given.
    public static let types: [HostTypeSpec] = [
        // Restart policies
        HostTypeSpec(name: "tend.Policy", doc: "What `policies/NAME.lua` returns.", fields: [
            "decide: fun(daemon: tend.Daemon, exit: tend.Exit, history: tend.History, now: number): tend.Decision -- called after each death of a daemon wanted up; `now` in epoch seconds",
        ]),
        HostTypeSpec(name: "tend.Daemon", doc: "A daemon as policies and health checks see it.", fields: [
            "name: string", "restart: tend.RestartLimits", "policy: string -- the policy's name",
            "stop_timeout: number -- seconds", "command?: string[]", "plugin?: string", "cwd?: string",
            "pid?: integer -- health checks: the verified PID, when running",
        ]),
        HostTypeSpec(name: "tend.RestartLimits", doc: "`restart = { … }` of daemons.lua, the seed's values when not given.", fields: [
            "max_per_hour: integer -- automatic restarts in any rolling hour (3)", "cooldown: number -- seconds between automatic restarts (60)",
        ]),
        HostTypeSpec(name: "tend.Exit", doc: "How a daemon died.", fields: [
            "cause: \"exited\"|\"killed\"|\"exitedUnknown\"|\"stalePID\"|\"noPIDFile\"|\"healthCheckFailed\"|\"unknown\"",
            "code?: integer -- with \"exited\"", "signal?: tend.Signal -- with \"killed\", e.g. \"SIGKILL\"",
            "uptime?: number -- seconds it ran", "reason: string -- e.g. \"exited with code 1\", \"killed by SIGKILL\"",
            "pid?: integer", "at: number -- epoch seconds",
        ]),
        HostTypeSpec(name: "tend.HistoryEvent", doc: "One restart in `.restarts/NAME.json`.", fields: [
            "time: number -- epoch seconds", "reason: string -- the exit that led to it", "old_pid?: integer", "new_pid?: integer",
            "success: boolean", "manual: boolean -- asked for by a person (`tend restart`)",
        ]),
        HostTypeSpec(name: "tend.History", doc: "Restart events, oldest first (an array of tend.HistoryEvent), with methods.", fields: [
            "since: fun(self: tend.History, t: number): tend.History -- automatic restarts at or after t",
            "all_since: fun(self: tend.History, t: number): tend.History -- manual ones too",
            "last: fun(self: tend.History): tend.HistoryEvent?",
            "[integer]: tend.HistoryEvent",
        ]),
        HostTypeSpec(name: "tend.Decision", doc: "What a restart policy's decide returns.", fields: [
            "action: \"restart\"|\"wait\"|\"stay_down\"", "delay?: number -- seconds, required with \"wait\"",
            "reason?: string -- shown by `tend status` and `tend why`",
        ]),
        // Health checks
        HostTypeSpec(name: "tend.HealthCheck", doc: "What `policies/health/NAME.lua` returns.", fields: [
            "check: fun(daemon: tend.Daemon, args: table<string, any>): boolean, string? -- healthy?, and why; args are the daemon's `health = { … }` keys",
            "interval?: number -- seconds between checks", "timeout?: number -- seconds a check may take (1)",
        ]),
        HostTypeSpec(name: "tend.HealthResult", doc: "The last health check of a daemon (`tend status`).", fields: [
            "ok: boolean", "reason: string", "check_error: boolean -- the check itself failed (raised, overran): not the daemon's fault",
            "at: number -- epoch seconds",
        ]),
        // Plugins
        HostTypeSpec(name: "tend.CommandPlugin", doc: "What `plugins/NAME.lua` returns for a command (`tend run NAME ARGS…`).", fields: [
            "summary?: string", "run: fun(args: string[]): integer? -- the exit code (nil: 0)",
        ]),
        HostTypeSpec(name: "tend.DaemonPlugin", doc: "What `plugins/NAME.lua` returns for a daemon (`tend run NAME`, `plugin = \"NAME\"`).", fields: [
            "summary?: string", "interval?: number -- seconds between ticks", "budget?: number -- seconds a tick may run (30)",
            "setup?: fun(ctx: tend.PluginContext)", "tick: fun(ctx: tend.PluginContext)",
        ]),
        HostTypeSpec(name: "tend.PluginContext", doc: "What a daemon plugin's setup and tick receive.", fields: [
            "home: string", "name: string -- the daemon's name", "state: table -- kept between ticks",
            "args: string[]", "interval: number -- seconds", "ticks: integer -- this tick's number, from 1",
        ]),
        // The startup sequence
        HostTypeSpec(name: "tend.StartupSequence", doc: "What `plugins/startup.lua` returns (`tend startup`).", fields: [
            "title?: string", "steps: tend.StartupStep[]", "summary?: string",
        ]),
        HostTypeSpec(name: "tend.StartupStep", doc: "One step of the startup sequence.", fields: [
            "title: string", "budget?: number -- seconds (30)",
            "run: fun(ctx: tend.StartupContext): \"ok\"|\"warn\"|\"fail\", string -- the status and a message",
        ]),
        HostTypeSpec(name: "tend.StartupContext", doc: "What each startup step receives (one table for the whole sequence).", fields: [
            "home: string", "config_dir: string", "project_dir: string -- `--project`, else the working directory",
            "state: table -- shared by the steps", "args: string[]", "total: integer -- the number of steps",
            "index: integer -- this step's number, from 1",
        ]),
        // daemons.lua
        HostTypeSpec(name: "tend.DaemonDeclaration", doc: "The table of `daemon \"NAME\" { … }` in daemons.lua: exactly one of command / plugin.", fields: [
            "command?: string[] -- argv, no shell", "plugin?: string -- a plugin name: runs `tend run NAME`",
            "env?: table<string, string> -- added to the monitor's environment", "cwd?: string",
            "stop_timeout?: number -- seconds from SIGTERM to SIGKILL (10)",
            "restart?: {max_per_hour?: integer, cooldown?: number} -- fed to the policy (3 per hour, 60 s)",
            "health?: string|tend.HealthDeclaration|fun(daemon: tend.Daemon): boolean, string? -- a check name, a table, or a function",
            "policy?: string -- policies/NAME.lua (\"restart\")",
            "after?: string|string[] -- daemons started (and ready) before this one",
            "ready_timeout?: number -- seconds to wait for this daemon to be ready",
            "env_file?: string -- a file of KEY=value lines added to the environment",
            "limits?: table<string, integer|string> -- resource limits by name (setrlimit)",
            "forking?: boolean -- the command forks and exits; the daemon is the process in `pidfile`",
            "pidfile?: string -- where a forking daemon writes its PID",
        ]),
        HostTypeSpec(name: "tend.HealthDeclaration", doc: "`health = { check = NAME, … }` in daemons.lua; the other keys are the check's args.", fields: [
            "check: string -- policies/health/NAME.lua", "interval?: number -- seconds", "timeout?: number -- seconds",
            "[string]: any",
        ]),
    ]

    /// The daemons.lua DSL.
    public static let dsl: [GlobalFunctionSpec] = [
        GlobalFunctionSpec(name: "daemon", doc: "daemons.lua: declares a daemon, `daemon \"NAME\" { command = {…}, … }`.",
                           params: ["name: string"], returns: ["fun(declaration: tend.DaemonDeclaration)"],
                           overloads: ["fun(name: string, declaration: tend.DaemonDeclaration)"]),
    ]
}
