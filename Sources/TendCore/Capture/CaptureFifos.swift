import TendSystem

/// Which of a daemon's outputs a FIFO carries.
public enum CaptureStream: String, Sendable, CaseIterable {
    case stdout, stderr
}

/// The two named pipes of a daemon, `.fifo/NAME.stdout` and `.fifo/NAME.stderr`. The
/// daemon holds them open read-write as its stdout and stderr (it never gets EPIPE, and
/// what it writes waits in the pipe while no reader runs); the log writer process
/// (`tend __logd`) holds the read side of every one of them.
public enum CaptureFifos {
    /// The FIFO's file name: the daemon's name (which may hold dots) and the stream.
    public static func fileName(daemon: String, stream: CaptureStream) -> String {
        "\(daemon).\(stream.rawValue)"
    }

    /// The daemon and stream a FIFO's file name stands for; nil for any other name.
    public static func parse(fileName name: String) -> (daemon: String, stream: CaptureStream)? {
        for stream in CaptureStream.allCases where name.hasSuffix("." + stream.rawValue) {
            let daemon = String(name.dropLast(stream.rawValue.count + 1))
            return daemon.isEmpty || daemon.hasPrefix(".") ? nil : (daemon, stream)
        }
        return nil
    }

    public static func path(_ home: Home, daemon: String, stream: CaptureStream) -> String {
        "\(home.fifoDir)/\(fileName(daemon: daemon, stream: stream))"
    }

    /// Makes sure both FIFOs exist and returns a write end of each (opened read-write,
    /// blocking, close-on-exec; the pipe enlarged to 1 MiB), for the spawner's `output` and
    /// `errorOutput`. The caller closes them after the spawn — or keeps them open: a pipe's
    /// buffered bytes live only while some process holds it, so a holder that outlives
    /// the daemon keeps its last words for a log writer that is down at that moment.
    public static func prepare(_ home: Home, daemon: String) throws -> (stdout: Int32, stderr: Int32) {
        try FileSystem.makeDirectory(home.fifoDir, mode: 0o700)
        var opened: [Int32] = []
        do {
            for stream in CaptureStream.allCases {
                let fifo = path(home, daemon: daemon, stream: stream)
                try Fifo.ensure(fifo)
                opened.append(try Fifo.openReadWrite(fifo, nonBlocking: false))
            }
        } catch {
            opened.forEach { closeFD($0) }
            throw error
        }
        return (opened[0], opened[1])
    }

    /// Removes both FIFOs of a daemon that left the configuration; the log writer then
    /// writes what is still in them and lets them go.
    public static func remove(_ home: Home, daemon: String) throws {
        for stream in CaptureStream.allCases { try FileSystem.remove(path(home, daemon: daemon, stream: stream)) }
    }
}
