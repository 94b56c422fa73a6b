---@meta tend
-- LuaLS annotations for Tend's `tend` module, the daemons.lua DSL and the tables
-- scripts receive and return (annotate yours with `---@type tend.Policy` and the
-- like). Generated from Sources/TendLua/API (TendAPI, ScriptTypes); do not edit.
-- Put this file on your workspace library path.

---A signal, by name (`exit.signal`, `tend.process.run`'s result); `"signal N"` for one without a name.
---@alias tend.Signal "SIGHUP"|"SIGINT"|"SIGQUIT"|"SIGILL"|"SIGTRAP"|"SIGABRT"|"SIGBUS"|"SIGFPE"|"SIGKILL"|"SIGUSR1"|"SIGSEGV"|"SIGUSR2"|"SIGPIPE"|"SIGALRM"|"SIGTERM"|"SIGCHLD"|"SIGCONT"|"SIGSTOP"|"SIGTSTP"|"SIGTTIN"|"SIGTTOU"|"SIGURG"|"SIGXCPU"|"SIGXFSZ"|"SIGVTALRM"|"SIGPROF"|"SIGWINCH"|"SIGSYS"|string

---A process as /proc describes it.
---@class tend.ProcessInfo
---@field pid integer
---@field ppid integer
---@field pgid integer
---@field name string
---@field state string one letter: R running, S sleeping, D disk wait, Z zombie, T stopped
---@field rss_bytes integer
---@field cpu_percent number average over its life, percent of one core
---@field start_time integer kernel start time (clock ticks since boot): identity with pid
---@field started_at number epoch seconds
---@field threads integer
---@field cmdline string[]

---Who a process is: PID plus start time.
---@class tend.ProcessIdentity
---@field pid integer
---@field start_time integer

---Options of `tend.process.run`.
---@class tend.RunOptions
---@field timeout? number seconds (default 10; never past the caller's time budget)
---@field cwd? string
---@field env? table<string, string> added to the inherited environment

---How a command ended.
---@class tend.RunResult
---@field code? integer exit code, when it exited
---@field signal? tend.Signal e.g. "SIGKILL", when killed
---@field stdout string
---@field stderr string
---@field timed_out boolean
---@field truncated boolean output beyond 1 MiB per stream was dropped

---The verdict of `tend.pid.verify`.
---@class tend.PidVerdict
---@field daemon string
---@field verdict "RUNNING"|"STALE"|"NO_PID_FILE"
---@field pid? integer
---@field detail string why, in words
---@field process? tend.ProcessInfo when running

---What `tend.pid.cleanup` did.
---@class tend.PidCleanup
---@field removed {daemon: string, pid?: integer, detail: string}[]
---@field kept string[]

---Summary of `tend.pid.health`.
---@class tend.PidHealth
---@field total integer
---@field running integer
---@field percent integer
---@field stale string[]
---@field missing string[]

---What `tend.fs.stat` reports.
---@class tend.FileStat
---@field size integer
---@field mtime number epoch seconds
---@field is_dir boolean
---@field mode integer permission bits

---One daemon's status (`tend status`).
---@class tend.DaemonStatus
---@field daemon string
---@field state "STARTING"|"PENDING"|"RUNNING"|"STOPPING"|"STOPPED"|"EXITED"|"WAITING"|"HELD"|"STALE"
---@field pid? integer
---@field uptime_seconds? number
---@field restarts integer
---@field last_exit? string
---@field last_exit_at? number
---@field wanted "up"|"down"
---@field reason? string why it is in this state
---@field next_attempt_at? number
---@field health? tend.HealthResult the last health check
---@field ready? boolean running and ready (its check passed since it started); known to a running monitor

---Every configured daemon's status and the monitor's.
---@class tend.StatusReport
---@field monitor {running: boolean, pid?: integer}
---@field daemons tend.DaemonStatus[]

---`tend health`: N of M healthy.
---@class tend.HealthSummary
---@field healthy integer
---@field total integer
---@field percent integer
---@field daemons {daemon: string, healthy: boolean, state: string, reason: string, check?: "healthy"|"unhealthy"|"unknown"}[]

---What the monitor answered to start / stop / restart.
---@class tend.ControlResult
---@field ok boolean every daemon did as asked
---@field monitor_pid integer
---@field monitor_started boolean this call started the monitor
---@field items {daemon: string, ok: boolean, message: string, state?: string, pid?: integer, already: boolean}[] already: nothing needed doing

---What `policies/NAME.lua` returns.
---@class tend.Policy
---@field decide fun(daemon: tend.Daemon, exit: tend.Exit, history: tend.History, now: number): tend.Decision called after each death of a daemon wanted up; `now` in epoch seconds

---A daemon as policies and health checks see it.
---@class tend.Daemon
---@field name string
---@field restart tend.RestartLimits
---@field policy string the policy's name
---@field stop_timeout number seconds
---@field command? string[]
---@field plugin? string
---@field cwd? string
---@field pid? integer health checks: the verified PID, when running

---`restart = { … }` of daemons.lua, the seed's values when not given.
---@class tend.RestartLimits
---@field max_per_hour integer automatic restarts in any rolling hour (3)
---@field cooldown number seconds between automatic restarts (60)

---How a daemon died.
---@class tend.Exit
---@field cause "exited"|"killed"|"exitedUnknown"|"stalePID"|"noPIDFile"|"healthCheckFailed"|"unknown"
---@field code? integer with "exited"
---@field signal? tend.Signal with "killed", e.g. "SIGKILL"
---@field uptime? number seconds it ran
---@field reason string e.g. "exited with code 1", "killed by SIGKILL"
---@field pid? integer
---@field at number epoch seconds

---One restart in `.restarts/NAME.json`.
---@class tend.HistoryEvent
---@field time number epoch seconds
---@field reason string the exit that led to it
---@field old_pid? integer
---@field new_pid? integer
---@field success boolean
---@field manual boolean asked for by a person (`tend restart`)

---Restart events, oldest first (an array of tend.HistoryEvent), with methods.
---@class tend.History
---@field since fun(self: tend.History, t: number): tend.History automatic restarts at or after t
---@field all_since fun(self: tend.History, t: number): tend.History manual ones too
---@field last fun(self: tend.History): tend.HistoryEvent?
---@field [integer] tend.HistoryEvent

---What a restart policy's decide returns.
---@class tend.Decision
---@field action "restart"|"wait"|"stay_down"
---@field delay? number seconds, required with "wait"
---@field reason? string shown by `tend status` and `tend why`

---What `policies/health/NAME.lua` returns.
---@class tend.HealthCheck
---@field check fun(daemon: tend.Daemon, args: table<string, any>): boolean, string? healthy?, and why; args are the daemon's `health = { … }` keys
---@field interval? number seconds between checks
---@field timeout? number seconds a check may take (1)

---The last health check of a daemon (`tend status`).
---@class tend.HealthResult
---@field state "healthy"|"unhealthy"|"unknown" unknown: the check itself failed (raised, overran, wrong return): never a restart
---@field reason string
---@field at number epoch seconds

---What `plugins/NAME.lua` returns for a command (`tend run NAME ARGS…`).
---@class tend.CommandPlugin
---@field summary? string
---@field run fun(args: string[]): integer? the exit code (nil: 0)

---What `plugins/NAME.lua` returns for a daemon (`tend run NAME`, `plugin = "NAME"`).
---@class tend.DaemonPlugin
---@field summary? string
---@field interval? number seconds between ticks
---@field budget? number seconds a tick may run (30)
---@field setup? fun(ctx: tend.PluginContext)
---@field tick fun(ctx: tend.PluginContext)

---What a daemon plugin's setup and tick receive.
---@class tend.PluginContext
---@field home string
---@field name string the daemon's name
---@field state table kept between ticks
---@field args string[]
---@field interval number seconds
---@field ticks integer this tick's number, from 1

---What `plugins/startup.lua` returns (`tend startup`).
---@class tend.StartupSequence
---@field title? string
---@field steps tend.StartupStep[]
---@field summary? string

---One step of the startup sequence.
---@class tend.StartupStep
---@field title string
---@field budget? number seconds (30)
---@field run fun(ctx: tend.StartupContext): "ok"|"warn"|"fail", string the status and a message

---What each startup step receives (one table for the whole sequence).
---@class tend.StartupContext
---@field home string
---@field config_dir string
---@field project_dir string `--project`, else the working directory
---@field state table shared by the steps
---@field args string[]
---@field total integer the number of steps
---@field index integer this step's number, from 1

---The table of `daemon "NAME" { … }` in daemons.lua: exactly one of command / plugin.
---@class tend.DaemonDeclaration
---@field command? string[] argv, no shell
---@field plugin? string a plugin name: runs `tend run NAME`
---@field env? table<string, string> added to the monitor's environment
---@field cwd? string
---@field stop_timeout? number seconds from SIGTERM to SIGKILL (10)
---@field restart? {max_per_hour?: integer, cooldown?: number} fed to the policy (3 per hour, 60 s)
---@field health? string|tend.HealthDeclaration|fun(daemon: tend.Daemon): boolean, string? a check name, a table, or a function
---@field policy? string policies/NAME.lua ("restart")
---@field after? string|string[] daemons started (and ready) before this one
---@field ready_timeout? number seconds to wait for this daemon to be ready
---@field env_file? string a file of KEY=value lines added to the environment
---@field limits? table<string, integer|string> resource limits by name (setrlimit)
---@field forking? boolean the command forks and exits; the daemon is the process in `pidfile`
---@field pidfile? string where a forking daemon writes its PID

---`health = { check = NAME, … }` in daemons.lua; the other keys are the check's args.
---@class tend.HealthDeclaration
---@field check string policies/health/NAME.lua
---@field interval? number seconds
---@field timeout? number seconds
---@field [string] any

---@class tend
tend = {}

---Processes: read them from the kernel, signal only verified ones, run short commands.
tend.process = {}

---The home's PID files (`.pids/NAME.pid`) and their verification (PID + start time).
tend.pid = {}

---Structured JSON Lines records for the daemon this Lua state runs for (the seed's logger).
tend.log = {}

---Files. Expected failures return `nil, message`.
tend.fs = {}

---JSON text ⇄ Lua values.
tend.json = {}

---Clocks and sleeping.
tend.time = {}

---Network probes.
tend.net = {}

---The configured daemons: status and health from the state files, start/stop/restart through the monitor.
tend.daemons = {}

---daemons.lua: declares a daemon, `daemon "NAME" { command = {…}, … }`.
---@param name string
---@return fun(declaration: tend.DaemonDeclaration)
---@overload fun(name: string, declaration: tend.DaemonDeclaration)
function daemon(name) end

---The state directory (`--home`, `$TEND_HOME`, …): `.pids/`, `logs/`, …
---@return string
function tend.home() end

---The user's script directory (`--config-dir`, `$TEND_CONFIG_DIR`, `~/.config/tend`).
---@return string
function tend.config_dir() end

---What the kernel says about a process (from /proc): name, state, RSS, CPU %, start time, threads, command line.
---@param pid integer
---@return tend.ProcessInfo?
---@return string?
function tend.process.info(pid) end

---True if a (non-zombie) process has this PID — and, when `start_time` is given, it is the same process (not a reused PID).
---@param pid integer
---@param start_time? integer
---@return boolean
function tend.process.alive(pid, start_time) end

---The identity of a live process: its PID and kernel start time. Keep it to signal the same process later.
---@param pid integer
---@return tend.ProcessIdentity?
---@return string?
function tend.process.identity(pid) end

---Sends a signal (`"TERM"`, `"SIGKILL"`, `15`) only if the process still has this start time; never signals an unverified PID.
---@param pid integer
---@param start_time integer
---@param sig string|integer
---@return boolean?
---@return string?
function tend.process.signal(pid, start_time, sig) end

---Runs a command to completion (own process group, stdin /dev/null); kills its group after `opts.timeout` seconds (default 10).
---@param argv string[]
---@param opts? tend.RunOptions
---@return tend.RunResult?
---@return string?
function tend.process.run(argv, opts) end

---The PID in `.pids/NAME.pid` (not verified: see `verify`).
---@param name string
---@return integer?
---@return string?
function tend.pid.read(name) end

---Records the live process `pid` as the daemon's, as `tend pid write` does: `.pids/NAME.pid` (one line, the PID) and its identity (start time, group, command line). Refuses a PID that is not running.
---@param name string
---@param pid integer
---@return boolean?
---@return string?
function tend.pid.write(name, pid) end

---Removes `.pids/NAME.pid`.
---@param name string
---@return boolean?
---@return string?
function tend.pid.remove(name) end

---Whether the PID file names the running daemon (PID + start time checked): RUNNING, STALE or NO_PID_FILE.
---@param name string
---@return tend.PidVerdict
function tend.pid.verify(name) end

---Removes stale PID files only (never the running daemon's) and says which.
---@return tend.PidCleanup
function tend.pid.cleanup() end

---How many of `names` (default: every daemon with a PID file) are running, per their PID files.
---@param names? string[]
---@return tend.PidHealth
function tend.pid.health(names) end

---A record at level debug with optional structured fields.
---@param message string
---@param fields? table
---@return boolean?
---@return string?
function tend.log.debug(message, fields) end

---A record at level info with optional structured fields.
---@param message string
---@param fields? table
---@return boolean?
---@return string?
function tend.log.info(message, fields) end

---A record at level warning with optional structured fields.
---@param message string
---@param fields? table
---@return boolean?
---@return string?
function tend.log.warning(message, fields) end

---A record at level error; also written to health.log with optional structured fields.
---@param message string
---@param fields? table
---@return boolean?
---@return string?
function tend.log.error(message, fields) end

---A record at level critical; also written to health.log with optional structured fields.
---@param message string
---@param fields? table
---@return boolean?
---@return string?
function tend.log.critical(message, fields) end

---A decision a policy took; also written to policy-hits.log.
---@param policy string
---@param action string
---@param context? string
---@param fields? table
---@return boolean?
---@return string?
function tend.log.policy_hit(policy, action, context, fields) end

---A health observation (`probe_failed`, `recovered`, …); also written to health.log. Severity is a level name (default `info`).
---@param event string
---@param message string
---@param severity? string
---@return boolean?
---@return string?
function tend.log.health_event(event, message, severity) end

---Records that the daemon started (default PID: this process).
---@param pid? integer
---@return boolean?
---@return string?
function tend.log.startup(pid) end

---Records that the daemon stopped, and why.
---@param reason string
---@return boolean?
---@return string?
function tend.log.shutdown(reason) end

---An error with its traceback (e.g. from `xpcall(f, debug.traceback)`); level error.
---@param message string
---@param traceback? string
---@param context? string
---@return boolean?
---@return string?
function tend.log.exception(message, traceback, context) end

---How long an operation took, in milliseconds; a failed one (`ok == false`) is a warning.
---@param operation string
---@param ms number
---@param ok? boolean
---@return boolean?
---@return string?
function tend.log.performance(operation, ms, ok) end

---The whole file as text.
---@param path string
---@return string?
---@return string?
function tend.fs.read(path) end

---Replaces the file atomically (temporary file + rename): readers see the old or the new text, never half.
---@param path string
---@param text string
---@return boolean?
---@return string?
function tend.fs.write(path, text) end

---Appends to the file (created if missing) in one write.
---@param path string
---@param text string
---@return boolean?
---@return string?
function tend.fs.append(path, text) end

---True if something exists at the path.
---@param path string
---@return boolean
function tend.fs.exists(path) end

---True if the path is a directory.
---@param path string
---@return boolean
function tend.fs.is_dir(path) end

---The names in a directory (without `.` and `..`), sorted.
---@param dir string
---@return string[]?
---@return string?
function tend.fs.list(dir) end

---Creates the directory and any missing parents (`mkdir -p`).
---@param path string
---@return boolean?
---@return string?
function tend.fs.mkdir(path) end

---Removes a file or an empty directory.
---@param path string
---@return boolean?
---@return string?
function tend.fs.remove(path) end

---Renames (moves) a file within one file system, replacing the target.
---@param from string
---@param to string
---@return boolean?
---@return string?
function tend.fs.rename(from, to) end

---Size, modification time (epoch seconds) and kind of a file.
---@param path string
---@return tend.FileStat?
---@return string?
function tend.fs.stat(path) end

---Compact JSON text (keys sorted). Tables with keys 1..n are arrays; functions are refused with an error.
---@param value any
---@return string
function tend.json.encode(value) end

---Parses JSON text; `null` becomes nil.
---@param text string
---@return any
---@return string?
function tend.json.decode(text) end

---Wall-clock time, epoch seconds (with fractions).
---@return number
function tend.time.now() end

---Seconds on a clock that never jumps: for durations and deadlines.
---@return number
function tend.time.monotonic() end

---`2026-11-25T09:18:26.123Z` for epoch seconds `t` (default: now), UTC.
---@param t? number
---@return string
function tend.time.iso8601(t) end

---Sleeps (a real sleep: for plugins). Under a time budget (policies, health checks) it never sleeps past the budget.
---@param seconds number
function tend.time.sleep(seconds) end

---Whether a TCP connection to host:port succeeds within `timeout` seconds (default 1); IPv4 and IPv6. The connection is closed at once.
---@param host string
---@param port integer
---@param timeout? number
---@return boolean
---@return string?
function tend.net.tcp_probe(host, port, timeout) end

---Loads the shared library `plugins/lib/NAME.lua` (the config dir's copy first, then the shipped one) once per Lua state and returns what it returns. A name, never a path. In plugins, `require(NAME)` finds the same files.
---@param name string
---@return any
function tend.require(name) end

---A content hash of the file (FNV-1a, 64-bit): equal contents give equal hashes. For change detection, not security.
---@param path string
---@return string?
---@return string?
function tend.fs.hash(path) end

---The configured daemons' names, in daemons.lua order (the user's file, else the shipped default).
---@return string[]?
---@return string?
function tend.daemons.list() end

---Status from the state files and the process table, as `tend status --format json` gives it.
---@param name? string
---@return tend.StatusReport|tend.DaemonStatus|nil
---@return string?
function tend.daemons.status(name) end

---How many configured daemons are healthy (running, identity verified, last check passed), and why each is or is not.
---@return tend.HealthSummary?
---@return string?
function tend.daemons.health() end

---Whether the home's monitor runs (identity verified).
---@return boolean
---@return integer?
function tend.daemons.monitor_running() end

---Starts a detached monitor for the home unless one runs; returns once it answers.
---@return integer?
---@return boolean|string
function tend.daemons.ensure_monitor() end

---Starts every configured daemon (a detached monitor first, if none runs).
---@return tend.ControlResult?
---@return string?
function tend.daemons.start_all() end

---Starts the named daemons (a detached monitor first, if none runs).
---@param names string[]
---@return tend.ControlResult?
---@return string?
function tend.daemons.start(names) end

---Stops the named daemons (wanted state down: the monitor will not restart them).
---@param names string[]
---@return tend.ControlResult?
---@return string?
function tend.daemons.stop(names) end

---Restarts the named daemons (not counted against the restart policy).
---@param names string[]
---@return tend.ControlResult?
---@return string?
function tend.daemons.restart(names) end
