import ArgumentParser
import TendCore

/// `tend stauts` → "unknown command 'stauts'; did you mean 'status'?" (a usage error,
/// exit 64). argument-parser alone says only "Unexpected argument".
enum SubcommandSuggestion {
    /// The message for the first word that names no subcommand where one is expected,
    /// when a known one is close to it; nil otherwise (argument-parser reports the rest).
    static func message(for arguments: [String], root: ParsableCommand.Type) -> String? {
        var command = root
        var path: [String] = []
        for word in arguments {
            let subcommands = command.configuration.subcommands
            // Options (`--help`, completion requests) and positional arguments end the walk.
            guard !word.hasPrefix("-"), !subcommands.isEmpty, command.configuration.defaultSubcommand == nil else { return nil }
            if command == root && word == "help" { return nil }
            if let next = subcommands.first(where: { names($0).contains(word) }) {
                command = next
                path.append(word)
                continue
            }
            let known = subcommands.flatMap(names)
            guard let near = NearestName.suggest(word, among: known) else { return nil }
            let prefix = path.map { $0 + " " }.joined()
            return "unknown command '\(prefix)\(word)'; did you mean '\(prefix)\(near)'?"
        }
        return nil
    }

    private static func names(_ command: ParsableCommand.Type) -> [String] {
        [command._commandName] + command.configuration.aliases
    }
}

extension Tend {
    /// The entry point: the hidden roles (`__script-worker`) first; then a mistyped
    /// subcommand gets a suggestion; then argument-parser runs.
    static func main() {
        HiddenRoles.runIfAsked()
        let arguments = Array(CommandLine.arguments.dropFirst())
        PlainStatus.runIfPlain(arguments)
        if let message = SubcommandSuggestion.message(for: arguments, root: Tend.self) {
            exit(withError: ValidationError(message))
        }
        main(arguments)
    }
}
