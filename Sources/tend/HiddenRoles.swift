#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import TendCore
import TendSystem

/// Roles of the one binary that no user types, dispatched from `Tend.main` before the
/// argument parser (or Lua) is touched, so such a process stays small in memory.
enum HiddenRoles {
    /// Runs the role `arguments[1]` names and exits; returns when it names none.
    static func runIfRequested(_ arguments: [String] = CommandLine.arguments) {
        guard arguments.count > 1, arguments[1] == LogWriterProcess.role else { return }
        exit(logWriter(Array(arguments.dropFirst(2))))
    }

    /// `tend __logd [--home DIR]`: the home's log writer, until SIGTERM.
    static func logWriter(_ arguments: [String]) -> Int32 {
        var explicitHome: String?
        var rest = arguments[...]
        while let word = rest.popFirst() {
            guard word == "--home", let dir = rest.popFirst() else {
                fail("usage: tend \(LogWriterProcess.role) [--home DIR]")
                return 64
            }
            explicitHome = dir
        }
        do {
            try LogWriter(home: Home.resolve(explicit: explicitHome)).run()
            return 0
        } catch let error as LogWriter.Failure {
            if case .alreadyRunning = error { fail("\(error)"); return 0 }
            fail("\(error)")
            return 1
        } catch {
            fail("\(error)")
            return 1
        }
    }

    private static func fail(_ message: String) {
        try? FileSystem.writeAll(2, Array("tend \(LogWriterProcess.role): \(message)\n".utf8))
    }
}
