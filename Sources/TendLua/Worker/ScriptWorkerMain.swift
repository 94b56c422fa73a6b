#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import TendCore
import TendSystem

/// `tend __script-worker --location-file PATH`: the script worker's process. Requests are
/// read from stdin, one JSON line each; replies go, one line each, to the descriptor that
/// was stdout at start. fd 1 then points at fd 2, so a stray `print` in a script lands in
/// the worker's log instead of corrupting the protocol. Ends at EOF on stdin (the monitor
/// closed it, or died). The environment gives `TEND_HOME`, `TEND_CONFIG_DIR`,
/// `TEND_LUA_MEMORY_MB` and `TEND_DECIDE_DEADLINE_MS`.
public enum ScriptWorkerMain {
    /// Longer request lines are not requests (the largest, a decide with 100 history
    /// events, is some 20 KiB).
    static let maxLineBytes = 16 << 20

    public static func run(_ arguments: [String]) -> Int32 {
        var locationPath: String?
        var rest = arguments[...]
        while let argument = rest.popFirst() {
            guard argument == "--location-file", let path = rest.popFirst() else {
                return fail("usage: tend __script-worker --location-file PATH (started by the monitor)")
            }
            locationPath = path
        }
        let replies = dup(1)
        guard replies >= 0, dup2(2, 1) >= 0 else { return fail("cannot set up the reply descriptor: \(SystemError("dup"))") }
        signal(SIGPIPE, SIG_IGN)   // a monitor that went away is a write error here, then EOF
        let worker: ScriptWorker
        do {
            let location = try locationPath.map { try LocationFile(path: $0) }
            worker = try ScriptWorker(home: Home.resolve(explicit: nil),
                                      paths: ScriptPaths.resolve(explicitConfigDir: nil),
                                      decideDeadline: decideDeadline(Environment.current["TEND_DECIDE_DEADLINE_MS"]), location: location)
        } catch {
            return fail("cannot start: \(error)")
        }
        var lines = OutputLineAssembler(maxLineBytes: maxLineBytes)
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = buffer.withUnsafeMutableBytes { b in retryingOnInterrupt { read(0, b.baseAddress, b.count) } }
            if n == 0 { return 0 }
            if n < 0 { return fail("cannot read requests: \(SystemError("read"))") }
            for line in lines.feed(Array(buffer[0..<n])) where !line.isEmpty {
                do { try FileSystem.writeAll(replies, worker.handle(line: line)) } catch { return fail("cannot write a reply: \(error)") }
                worker.host.vm.collectIfNeeded()   // after the reply: off the monitor's clock
            }
        }
    }

    /// `TEND_DECIDE_DEADLINE_MS` in seconds (250 ms unless set to a positive number).
    static func decideDeadline(_ text: String?) -> Double {
        guard let text, let ms = Double(text), ms > 0 else { return 0.25 }
        return ms / 1000
    }

    private static func fail(_ message: String) -> Int32 {
        try? FileSystem.writeAll(2, Array("tend __script-worker: \(message)\n".utf8))
        return 2
    }
}
