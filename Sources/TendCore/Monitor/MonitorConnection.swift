import TendSystem

/// Reaching the home's monitor from a short-lived process (the CLI, the startup
/// sequence): connect, or start a detached monitor first.
public enum MonitorConnection {
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    /// Returns once a monitor answers; starts a detached one when none runs. Returns the
    /// PID of a monitor it started, nil when one was already there.
    @discardableResult
    public static func ensure(home: Home, configDir: String?, monitorArguments: [String] = [], timeout: Double = 15) throws -> Int32? {
        if ControlClient.isReachable(home) { return nil }
        try home.prepare()
        var launched: Int32?
        // A held lock means a monitor is starting up: wait for it instead of racing it.
        if !FileLock.isHeld(home.monitorLock) {
            launched = try launchDetached(home: home, configDir: configDir, arguments: monitorArguments)
        }
        let deadline = Clock.monotonic() + timeout
        while Clock.monotonic() < deadline {
            if ControlClient.isReachable(home) { return launched }
            // The one we launched gave up; unless another monitor holds the lock (it won
            // the race against ours and is starting), that is an error to show at once.
            if let launched, Reaper.hasExited(launched), !FileLock.isHeld(home.monitorLock) {
                let log = (try? FileSystem.readText(home.monitorLog)) ?? ""
                let tail = log.split(separator: "\n").suffix(8).joined(separator: "\n")
                throw Failure(description: "the monitor could not start:\n\(tail)")
            }
            _ = Poller.waitReadable([], timeout: 0.002)
        }
        throw Failure(description: "the monitor for \(home.root) did not answer within \(Int(timeout)) s; see \(home.monitorLog)")
    }

    /// Sends a request to the home's monitor, starting a detached one first when none
    /// listens: one connection when a monitor runs, no ping before it. Returns the answer
    /// and the PID of a monitor it started.
    public static func send(_ request: ControlRequest, home: Home, configDir: String?, timeout: Double = 15) throws -> (ControlResponse, launched: Int32?) {
        if let response = try ControlClient.sendIfListening(request, home: home) { return (response, nil) }
        let launched = try ensure(home: home, configDir: configDir, timeout: timeout)
        return (try ControlClient.send(request, home: home), launched)
    }

    /// Starts `tend monitor` in the background: its own session, output to logs/monitor.log.
    public static func launchDetached(home: Home, configDir: String?, arguments: [String] = [],
                                      executable: String = FileSystem.executablePath()) throws -> Int32 {
        let log = try openAppend(home.monitorLog)
        defer { closeFD(log) }
        var env = Spawner.currentEnvironment()
        env["TEND_HOME"] = home.root
        if let configDir { env["TEND_CONFIG_DIR"] = FileSystem.absolute(configDir) }
        return try Spawner.spawn([executable, "monitor"] + arguments, environment: env, workingDirectory: "/", output: log)
    }
}
