#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import TendLua

/// Roles of the one binary that are not commands for people: the monitor starts them
/// (`tend __script-worker …`). They are dispatched before argument parsing (no help, no
/// validation: their caller is Tend itself), from `Tend.main`.
enum HiddenRoles {
    /// Role name (argv[1]) → its main, given the arguments after the name.
    static let roles: [String: @Sendable ([String]) -> Int32] = [
        "__script-worker": ScriptWorkerMain.run,
    ]

    /// Runs the role argv[1] names and exits; returns when argv[1] names none.
    static func runIfAsked(_ arguments: [String] = CommandLine.arguments) {
        guard arguments.count > 1, let role = roles[arguments[1]] else { return }
        exit(role(Array(arguments.dropFirst(2))))
    }
}
