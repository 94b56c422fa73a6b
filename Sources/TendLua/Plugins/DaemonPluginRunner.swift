#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import TendCore
import TendSystem

/// Runs a daemon plugin: `setup(ctx)` once, then `tick(ctx)` every interval until SIGTERM
/// or SIGINT. A tick that raises is logged with its `file:line` and the loop goes on: a
/// broken tick never ends the daemon. The wait between ticks is a poll on the signal
/// pipe, so a stop request ends it at once; a tick in progress finishes first (within
/// its budget, and the monitor's stop_timeout sends SIGKILL after that anyway).
///
/// ctx = { home, name, state = {} (kept between ticks), args = {…}, interval, ticks }
public final class DaemonPluginRunner {
    public struct Options: Sendable {
        /// `--interval`, else `$TEND_INTERVAL`, else the plugin's `interval`, else 60 s.
        public var interval: Double?
        public var args: [String] = []
        /// Seconds one tick may run when the plugin gives no `budget`.
        public var defaultBudget: Double = 30
        public init(interval: Double? = nil, args: [String] = []) {
            self.interval = interval
            self.args = args
        }
    }

    public static let defaultInterval: Double = 60

    let plugin: LoadedPlugin
    let options: Options
    let daemonName: String
    /// The ctx table, kept in the registry for the daemon's life (its `state` with it).
    private let ctx: LuaRef
    private var ticks = 0
    /// Problems also said here (stderr of an unsupervised run), besides the log.
    public var onProblem: ((String) -> Void)?

    var log: DaemonLogger { plugin.host.context.logger }

    public init(_ plugin: LoadedPlugin, daemonName: String, options: Options) {
        self.plugin = plugin
        self.options = options
        self.daemonName = daemonName
        let s = plugin.host.vm.stack
        s.newTable(fields: 6)
        s.setField("home", plugin.host.home.root)
        s.setField("name", daemonName)
        s.newTable()
        s.rawSet(-2, "state")
        s.setField("args", JSONValue.array(options.args.map { .string($0) }))
        ctx = s.ref()
        updateContext()
    }

    deinit { plugin.host.vm.release(ctx) }

    /// `$TEND_INTERVAL` (daemons.lua can set it per daemon with `env = { … }`), read once.
    private let environmentInterval: Double? = Environment.current["TEND_INTERVAL"].flatMap(Double.init).flatMap { $0 > 0 ? $0 : nil }

    /// Seconds between ticks, by precedence (the plugin's own may change on reload).
    public var interval: Double {
        options.interval ?? environmentInterval ?? plugin.info.interval ?? Self.defaultInterval
    }

    var budget: Double { plugin.info.budget ?? options.defaultBudget }

    /// `tend run NAME --once`: setup (if any) and one tick. Returns the error, if any.
    public func runOnce() -> LuaError? {
        if let error = call("setup", optional: true) { return error }
        return call("tick", optional: false)
    }

    /// The loop; returns the exit code (0 after SIGTERM/SIGINT, 1 if setup failed).
    public func runLoop() throws -> Int32 {
        let signals = try SignalPipe([.terminate, .interrupt])
        try? log.startup(pid: getpid())
        try? log.info("running \(plugin.path) every \(Clock.humanDuration(interval))",
                      fields: ["plugin": .string(plugin.name), "interval": .double(interval)])
        if let error = call("setup", optional: true) {
            try? log.shutdown(reason: "setup failed: \(error.message)")
            return 1
        }
        while true {
            reload()
            _ = call("tick", optional: false)
            if let signal = wait(interval, signals) {
                try? log.shutdown(reason: signal.name)
                return 0
            }
        }
    }

    /// Sleeps `seconds` unless a stop signal comes first (returned).
    private func wait(_ seconds: Double, _ signals: SignalPipe) -> Signal? {
        let deadline = Clock.monotonic() + seconds
        while true {
            let left = deadline - Clock.monotonic()
            let ready = Poller.waitReadable([signals.fd], timeout: max(0, left))
            if !ready.isEmpty {
                let got = signals.drain()
                if got.contains(.terminate) { return .terminate }
                if got.contains(.interrupt) { return .interrupt }
            }
            if left <= 0 { return nil }
        }
    }

    /// Calls `setup` or `tick` with ctx under the budget; an error is logged (with its
    /// traceback) and returned.
    private func call(_ hook: String, optional: Bool) -> LuaError? {
        let vm = plugin.host.vm
        plugin.pushField(hook)
        let present = vm.stack.isFunction(at: -1)
        vm.stack.pop()
        if !present && optional { return nil }
        if hook == "tick" { ticks += 1 }
        updateContext()
        let started = Clock.monotonic()
        do {
            try vm.call(budget: budget, results: 0, push: { s in
                plugin.pushField(hook)
                s.push(ctx)
                return 1
            }, read: { _, _ in () })
            return nil
        } catch let error as LuaError {
            let ms = ((Clock.monotonic() - started) * 1000).rounded()
            try? log.exception("\(hook) failed: \(error.message)", traceback: error.traceback.isEmpty ? nil : error.traceback,
                               context: hook, fields: ["tick": .int(Int64(ticks)), "duration_ms": .double(ms)])
            onProblem?("\(hook) failed: \(error.message)")
            return error
        } catch {
            let wrapped = LuaError(kind: .runtime, message: "\(plugin.path): \(hook) failed: \(error)")
            try? log.exception(wrapped.message, context: hook)
            onProblem?(wrapped.message)
            return wrapped
        }
    }

    /// Picks up an edited plugin between ticks; a broken edit is reported once and the
    /// running version stays.
    private func reload() {
        switch plugin.reloadIfChanged() {
        case .unchanged: break
        case .reloaded(let path):
            try? log.info("reloaded \(path)", fields: ["plugin": .string(plugin.name)])
        case .refused(let why):
            try? log.error("plugin not reloaded: \(why)", fields: ["plugin": .string(plugin.name)])
            onProblem?("plugin not reloaded: \(why)")
        }
    }

    /// ctx.interval and ctx.ticks as they are now.
    private func updateContext() {
        let s = plugin.host.vm.stack
        s.push(ctx)
        // Whole seconds as an integer, so `tostring(ctx.interval)` reads "60", not "60.0".
        if interval == interval.rounded(), abs(interval) < 1e15 { s.setField("interval", Int64(interval)) } else { s.setField("interval", interval) }
        s.setField("ticks", ticks)
        s.pop()
    }
}
