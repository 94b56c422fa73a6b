import ArgumentParser
import TendCore

/// `tend status` in its plain forms, answered before the argument parser is built: a third
/// of the command's time went to building it (reflection over every command's options),
/// and status is what scripts, prompts and benchmarks run in a loop. Anything else —
/// `--help`, an unknown option, a bad value — is left to the parser, which says what is
/// wrong; the output is `Status.show`'s either way.
enum PlainStatus {
    /// Runs and exits if `arguments` (after the program name) are a plain status request.
    static func runIfPlain(_ arguments: [String]) {
        guard arguments.first == "status", let request = parse(arguments.dropFirst()) else { return }
        let context = CommandContext(home: request.home, configDir: request.configDir)
        do {
            if let problem = context.home.accessProblem() { throw CommandFailure(problem) }
            try Tend.Status.show(context, format: request.format, names: request.names)
        } catch {
            Tend.exit(withError: error)
        }
        Tend.exit()
    }

    struct Request: Equatable {
        var format: Output.Format = .table
        var home: String?
        var configDir: String?
        var names: [String] = []
    }

    /// `--format table|json`, `--home DIR`, `--config-dir DIR` (also as `--opt=value`) and
    /// daemon names; nil for anything else.
    static func parse(_ words: ArraySlice<String>) -> Request? {
        var request = Request()
        var rest = words
        while let word = rest.popFirst() {
            guard word.hasPrefix("-") else {
                request.names.append(word)
                continue
            }
            let (option, attached) = word.firstIndex(of: "=").map { (String(word[..<$0]), String(word[word.index(after: $0)...])) } ?? (word, nil)
            guard let value = attached ?? rest.popFirst() else { return nil }
            switch option {
            case "--format":
                guard let format = Output.Format(rawValue: value) else { return nil }
                request.format = format
            case "--home": request.home = value
            case "--config-dir": request.configDir = value
            default: return nil
            }
        }
        return request
    }
}
