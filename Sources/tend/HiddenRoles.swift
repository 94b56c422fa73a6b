#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import TendCore
import TendLua
import TendSystem

/// Roles of the one binary that no user types: the monitor starts them (`tend
/// __script-worker …`, `tend __logd`). They are dispatched from `Tend.main` before the
/// argument parser is touched (no help, no validation: their caller is Tend itself), so
/// such a process stays small in memory; the log writer never touches Lua either.
enum HiddenRoles {
    /// The main of the role a name (argv[1]) names, given the arguments after the name.
    /// A switch, not a table: every command of the CLI passes here, and a dictionary of
    /// closures costs its generic metadata at each start.
    static func role(named name: String) -> (([String]) -> Int32)? {
        switch name {
        case "__script-worker": return ScriptWorkerMain.run
        case LogWriterProcess.role: return logWriter
        default: return nil
        }
    }

    /// Runs the role argv[1] names and exits; returns when argv[1] names none.
    static func runIfAsked(_ arguments: [String] = CommandLine.arguments) {
        guard arguments.count > 1, arguments[1].hasPrefix("__"), let role = role(named: arguments[1]) else { return }
        exit(role(Array(arguments.dropFirst(2))))
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
