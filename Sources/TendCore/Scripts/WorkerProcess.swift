import TendSystem
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One script worker (`tend __script-worker`) as the monitor holds it: its process, the
/// pipes of its request and reply streams, and the one request it is running.
final class WorkerProcess {
    /// What a worker is asked to do.
    enum Job {
        /// Read daemons.lua for the monitor's configuration.
        case load
        /// Read daemons.lua so the worker holds its inline checks (a check worker's first job).
        case prime
        case decide(PolicyQuestion)
        case check(CheckRequest)
    }

    let number: Int
    let identity: ProcessIdentity
    /// Where the worker keeps the request it runs and the Lua line it is at.
    let locationFile: String
    private let requests: Int32
    let replies: Int32
    private var received: [UInt8] = []

    private(set) var job: (id: UInt64, job: Job, deadline: Double)?
    private(set) var idleSince: Double
    /// It has read daemons.lua since the configuration last changed.
    var primed = false

    private init(number: Int, identity: ProcessIdentity, locationFile: String, requests: Int32, replies: Int32) {
        self.number = number
        self.identity = identity
        self.locationFile = locationFile
        self.requests = requests
        self.replies = replies
        idleSince = Clock.monotonic()
    }

    /// Starts worker `number` in its own session: requests on its stdin, replies on its
    /// stdout, its stderr to `log`. `TEND_SCRIPT_WORKER` marks everything it starts, so a
    /// worker killed for a deadline takes the commands of its check with it.
    static func spawn(number: Int, executable: String, home: Home, environment: [String: String], log: Int32) throws -> WorkerProcess {
        let toWorker = try Pipe.make()
        let fromWorker: (read: Int32, write: Int32)
        do { fromWorker = try Pipe.make() } catch { closeFD(toWorker.read); closeFD(toWorker.write); throw error }
        defer { closeFD(toWorker.read); closeFD(fromWorker.write) }
        let location = "\(home.runDir)/worker-\(number).where"
        var env = environment
        env["TEND_SCRIPT_WORKER"] = String(number)
        env["TEND_DAEMON"] = nil
        let pid: Int32
        do {
            pid = try Spawner.spawn([executable, "__script-worker", "--location-file", location], environment: env,
                                    workingDirectory: "/", input: toWorker.read, output: fromWorker.write, errorOutput: log)
        } catch {
            closeFD(toWorker.write)
            closeFD(fromWorker.read)
            throw error
        }
        _ = fcntl(toWorker.write, F_SETFL, fcntl(toWorker.write, F_GETFL) | O_NONBLOCK)
        _ = fcntl(fromWorker.read, F_SETFL, fcntl(fromWorker.read, F_GETFL) | O_NONBLOCK)
        return WorkerProcess(number: number, identity: ProcessTable.identity(of: pid) ?? ProcessIdentity(pid: pid, startTime: 0),
                             locationFile: location, requests: toWorker.write, replies: fromWorker.read)
    }

    var isIdle: Bool { job == nil }

    var isPriming: Bool {
        if case .prime? = job?.job { return true }
        return false
    }

    /// Writes one request. The worker is idle (reading its stdin), so a whole line fits
    /// the pipe; one that does not is a worker that stopped reading.
    func send(_ line: [UInt8], id: UInt64, job: Job, deadline: Double) throws {
        let written = line.withUnsafeBytes { b in retryingOnInterrupt { write(requests, b.baseAddress, b.count) } }
        guard written == line.count else { throw SystemError("the script worker does not read its requests", code: written < 0 ? errno : EAGAIN) }
        self.job = (id, job, deadline)
    }

    /// The job answered (or given up): the worker is free again.
    func finishJob() -> (id: UInt64, job: Job)? {
        defer { job = nil; idleSince = Clock.monotonic() }
        return job.map { ($0.id, $0.job) }
    }

    /// Complete reply lines read so far; nil when the stream ended (the worker is gone).
    func readLines() -> [String]? {
        var chunk = [UInt8](repeating: 0, count: 65536)
        var ended = false
        while true {
            let n = chunk.withUnsafeMutableBytes { b in retryingOnInterrupt { read(replies, b.baseAddress, b.count) } }
            if n > 0 { received.append(contentsOf: chunk[0..<n]); continue }
            if n == 0 { ended = true }
            break
        }
        var lines: [String] = []
        while let newline = received.firstIndex(of: UInt8(ascii: "\n")) {
            lines.append(String(decoding: received[..<newline], as: UTF8.self))
            received.removeSubrange(...newline)
        }
        return ended && lines.isEmpty ? nil : lines
    }

    /// Where Lua was, from the location file: `file:line`, if the worker said.
    var location: String? { WorkerLocation.read(locationFile)?.location }

    /// Ends the worker and what it started (its group, and what carries its mark), and
    /// closes its pipes. Its exit is then reaped like any child's.
    func kill(home: Home) {
        let strays = ProcessTable.processes(withEnvironment: "TEND_SCRIPT_WORKER=\(number)", reporting: "TEND_HOME")
            .filter { $0.value == home.root && $0.process.processGroup != identity.pid }.map(\.process.identity)
        Teardown.signal(StopTarget(main: identity, group: identity.pid, strays: strays), .kill)
        close()
    }

    /// Closes both pipes: an idle worker reads EOF and exits by itself. Its location file
    /// goes too (read first, for a message): a check that blocks every round would
    /// otherwise leave a file per replaced worker in `.run`.
    func close() {
        closeFD(requests)
        closeFD(replies)
        _ = unlink(locationFile)
    }
}
