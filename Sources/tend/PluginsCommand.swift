import ArgumentParser
import TendCore
import TendLua

extension Tend {
    /// `tend plugins`: every plugin on the search path, what it is, and which file wins.
    struct Plugins: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "plugins",
            abstract: "List the Lua plugins: name, kind, summary and the file that wins (user copy or shipped).")

        @OptionGroup var global: GlobalOptions
        @Option(help: "Output format: table or json.") var format: Output.Format = .table

        func run() throws {
            let context = CommandContext(global)
            let entries = PluginCatalog.list(paths: context.paths, home: context.home)
            switch format {
            case .json:
                let items = entries.map { e -> JSONValue in
                    var o: [String: JSONValue] = ["name": .string(e.name), "path": .string(e.path), "source": .string(e.source)]
                    o.setIfPresent("kind", e.kind.map { .string($0.rawValue) })
                    o.setIfPresent("summary", e.summary.map(JSONValue.string))
                    o.setIfPresent("problem", e.problem.map(JSONValue.string))
                    return .object(o)
                }
                Output.line(JSONOutput.document(.object(["plugins": .array(items)])))
            case .table:
                if entries.isEmpty {
                    Output.line("no plugins (looked in \(context.paths.directories(.plugin).joined(separator: ", ")))")
                    return
                }
                let rows = entries.map { e in
                    [e.name, e.kind?.rawValue ?? "broken", e.source, e.problem ?? e.summary ?? "", e.path]
                }
                Output.line(Output.table(["NAME", "KIND", "SOURCE", "SUMMARY", "FILE"], rows))
            }
        }
    }
}
