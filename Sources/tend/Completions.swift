import ArgumentParser
import TendCore
import TendLua
import TendSystem

/// Shell completion of names, computed when the user presses TAB: the generated script
/// calls back into `tend`, which reads the configuration the command line points at
/// (`--home`, `--config-dir`, else the environment, as the command itself would).
enum Completions {
    /// Daemon names declared in daemons.lua (the user's, else the shipped default).
    static let daemons = CompletionKind.custom { words, _, prefix in
        let (paths, home) = locations(words)
        guard let host = try? LuaHost(home: home, paths: paths), let config = try? DaemonsConfig.load(paths: paths, host: host) else {
            return []
        }
        // Every name read whole, also when other declarations have problems.
        return config.specs.map(\.name).filter { $0.hasPrefix(prefix) }
    }

    /// Plugin names on the search path (`tend run NAME`).
    static let plugins = CompletionKind.custom { words, _, prefix in
        locations(words).paths.all(.plugin).map(\.name).filter { $0.hasPrefix(prefix) }
    }

    /// The script paths and home named on the command line being completed.
    static func locations(_ words: [String]) -> (paths: ScriptPaths, home: Home) {
        (ScriptPaths.resolve(explicitConfigDir: value(of: "--config-dir", in: words)),
         Home.resolve(explicit: value(of: "--home", in: words)))
    }

    /// The value of `--option VALUE` or `--option=VALUE` as the shell would pass it:
    /// the words arrive as typed, so quotes are removed and a leading `~/` expanded
    /// (bash splits `--option=VALUE` into three words at the `=`).
    static func value(of option: String, in words: [String]) -> String? {
        var found: String?
        for (i, word) in words.enumerated() {
            if word == option, i + 1 < words.count {
                found = words[i + 1] == "=" && i + 2 < words.count ? words[i + 2] : words[i + 1]
            } else if word.hasPrefix(option + "=") {
                found = String(word.dropFirst(option.count + 1))
            }
        }
        guard var value = found else { return nil }
        if value.count >= 2, value.first == "\"" || value.first == "'", value.last == value.first {
            value = String(value.dropFirst().dropLast())
        }
        if value.hasPrefix("~/") { value = Home.userHome() + value.dropFirst() }
        return value
    }
}
