#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import TendSystem

/// The log writer process of a home (`tend __logd`, one per home): it holds the read side
/// of every FIFO in `.fifo/` (`NAME.stdout`, `NAME.stderr`), finds new ones as they are
/// made (inotify; a listing at start and after lost events), and logs what the daemons
/// write into `logs/daemons/NAME.log` without losing or repeating a line when it is
/// killed (see `CapturedStream`). One `poll` loop; idle, it sleeps.
public final class LogWriter {
    public enum Failure: Error, CustomStringConvertible {
        case alreadyRunning(home: String, pid: Int32?)
        case unsupported

        public var description: String {
            switch self {
            case .alreadyRunning(let home, let pid):
                return "a log writer already runs for \(home)" + (pid.map { " (pid \($0))" } ?? "")
            case .unsupported:
                return "this platform cannot peek at a pipe (no tee(2)): the log writer runs on Linux only"
            }
        }
    }

    let home: Home
    let rotation: RotationOptions
    let registry = LogFileRegistry.shared
    let peek: PeekBuffer
    let boot: UInt64
    /// By FIFO file name (`NAME.stdout`).
    var streams: [String: CapturedStream] = [:]
    var stopRequested = false
    /// When to give the heap's free memory back: a second after output came, at most once
    /// a second (this process lives as long as the home; a burst must not stay in its
    /// footprint).
    var trimAt: Double?
    static let trimDelay = 1.0

    public init(home: Home, rotation: RotationOptions = .fromEnvironment()) throws {
        guard PipeTap.isSupported else { throw Failure.unsupported }
        self.home = home
        self.rotation = rotation
        peek = try PeekBuffer()
        boot = ContentHash.of(ProcessTable.bootIdentifier().utf8)
    }

    /// Runs until SIGTERM or SIGINT. Every batch is finished before the next signal is
    /// looked at, so nothing is in flight when it returns.
    public func run() throws {
        for dir in [home.root, home.fifoDir, home.captureStateDir, home.daemonLogsDir] {
            try FileSystem.makeDirectory(dir, mode: 0o700)
        }
        guard let lock = try LogWriterProcess.claim(home) else {
            throw Failure.alreadyRunning(home: home.root, pid: LogWriterProcess.running(home)?.pid)
        }
        var holdsHome = true
        defer { if holdsHome { LogWriterProcess.release(home, lock: lock) } else { closeFD(lock) } }
        SignalPipe.ignore(.pipe)
        let signals = try SignalPipe([.terminate, .interrupt, .hangup])
        let watch = try DirectoryWatch(path: home.fifoDir)
        say("started (pid \(getpid())) for \(home.root)")
        rescan()
        removeStateWithoutFifo()

        var nextRescan = watch.rescanInterval.map { Clock.monotonic() + $0 }
        while !stopRequested {
            guard LogWriterProcess.stillHolds(home, lock: lock) else {
                // The home was removed (its logs with it) or its lock replaced: it may have
                // another log writer now; writing there would recreate what was removed.
                holdsHome = false
                return say("\(home.logWriterLock) was removed or replaced: leaving \(home.root)")
            }
            let now = Clock.monotonic()
            let polled = streams.values.filter { $0.wantsPolling(now: now) }
            let fds = [signals.fd] + (watch.descriptor.map { [$0] } ?? []) + polled.map(\.fifo)
            let ready = Set(Poller.waitReadable(fds, timeout: timeout(now: now, rescanAt: nextRescan)))
            if ready.contains(signals.fd) {
                let got = signals.drain()
                if got.contains(.terminate) || got.contains(.interrupt) { stopRequested = true }
                if got.contains(.hangup) { rescan() }
            }
            if let fd = watch.descriptor, ready.contains(fd) { apply(watch.changes()) }
            if let at = nextRescan, Clock.monotonic() >= at {
                apply(watch.changes())
                nextRescan = watch.rescanInterval.map { Clock.monotonic() + $0 }
            } else if nextRescan == nil, let interval = watch.rescanInterval {
                nextRescan = Clock.monotonic() + interval
            }
            for stream in polled where ready.contains(stream.fifo) {
                stream.serve(peek)
                if trimAt == nil { trimAt = Clock.monotonic() + LogWriter.trimDelay }
            }
            let after = Clock.monotonic()
            for stream in streams.values where stream.retryDeadline.map({ after >= $0 }) ?? false { stream.serve(peek) }
            if let at = trimAt, after >= at {
                Memory.releaseFree()
                trimAt = nil
            }
        }
        say("stopped (signal); nothing was in flight")
    }

    /// Until the next partial line is due a look, a retry, a listing of the directory or
    /// the heap's trim is due; nil (sleep until something is readable) when none is.
    func timeout(now: Double, rescanAt: Double?) -> Double? {
        let deadlines = streams.values.flatMap { [$0.quietUntil, $0.retryDeadline].compactMap { $0 } } + [rescanAt, trimAt].compactMap { $0 }
        return deadlines.min().map { max(0, $0 - now) }
    }

    // MARK: - The FIFOs

    func apply(_ changes: [DirectoryWatch.Change]) {
        for change in changes {
            switch change {
            case .added(let name): open(name)
            case .removed(let name): close(name)
            case .rescan: rescan()
            }
        }
    }

    /// Opens what the directory holds and is not open (or is another FIFO now), and lets
    /// go of what it no longer holds.
    func rescan() {
        let names = Set(((try? FileSystem.list(home.fifoDir)) ?? []).filter { CaptureFifos.parse(fileName: $0) != nil })
        for name in streams.keys where !names.contains(name) { close(name) }
        for name in names {
            if let open = streams[name], FileSystem.info("\(home.fifoDir)/\(name)")?.inode == open.fifoInode { continue }
            close(name)
            open(name)
        }
    }

    func open(_ name: String) {
        guard streams[name] == nil, let (daemon, stream) = CaptureFifos.parse(fileName: name) else { return }
        let path = "\(home.fifoDir)/\(name)"
        guard let info = FileSystem.info(path), info.mode & UInt32(S_IFMT) == UInt32(S_IFIFO) else { return }
        do {
            let opened = try CapturedStream(
                daemon: daemon, stream: stream, fifoPath: path, statePath: "\(home.captureStateDir)/\(name)", boot: boot,
                log: registry.file(at: home.daemonLog(daemon), options: rotation),
                copies: { [registry, home, rotation] in
                    registry.file(at: $0 == .health ? home.healthLog : home.policyHitsLog, options: rotation)
                },
                say: { [weak self] in self?.say($0) })
            opened.recover(peek)
            streams[name] = opened
            opened.serve(peek)
        } catch {
            say("cannot open \(path): \(error)")
        }
    }

    /// The FIFO was removed (its daemon left the configuration): log what it still holds,
    /// a line without its newline too, then let it go with its state file — and the
    /// daemon's log, once neither of its pipes is left.
    func close(_ name: String) {
        guard let stream = streams.removeValue(forKey: name) else { return }
        while stream.serve(peek, closing: true) {}
        try? FileSystem.remove(stream.statePath)
        if !streams.values.contains(where: { $0.daemon == stream.daemon }) { registry.close(at: stream.log.path) }
    }

    /// A state file whose FIFO is gone speaks of a pipe that no longer exists.
    func removeStateWithoutFifo() {
        for name in (try? FileSystem.list(home.captureStateDir)) ?? [] where streams[name] == nil && !name.hasPrefix(".") {
            try? FileSystem.remove("\(home.captureStateDir)/\(name)")
        }
    }

    /// One line on stderr (`logs/logd.log` when launched by `LogWriterProcess.launch`).
    func say(_ message: String) {
        try? FileSystem.writeAll(2, Array("\(Clock.iso8601(Clock.now())) tend logd: \(message)\n".utf8))
    }
}
