#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import ArgumentParser
import TendCore
import TendSystem

extension Tend {
    /// `tend new policy|check|plugin NAME`: a commented starter file in the config dir.
    struct New: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write a commented starter policy, health check or plugin into the config dir.",
            discussion: "policies/NAME.lua, policies/health/NAME.lua or plugins/NAME.lua under --config-dir; an existing file is never overwritten.")

        enum What: String, ExpressibleByArgument, CaseIterable {
            case policy, check, plugin

            var kind: ScriptPaths.Kind {
                switch self {
                case .policy: return .policy
                case .check: return .health
                case .plugin: return .plugin
                }
            }
        }

        @OptionGroup var global: GlobalOptions
        @Argument(help: "What to write: policy, check or plugin.") var what: What
        @Argument(help: "Its name (a name, not a path).") var name: String

        func run() throws {
            let paths = ScriptPaths.resolve(explicitConfigDir: global.configDir)
            let kind = what.kind
            if let problem = ScriptPaths.validateName(name, kind: kind) { throw CommandFailure(problem) }
            let dir = "\(paths.configDir)/\(kind.rawValue)"
            let path = "\(dir)/\(name).lua"
            do {
                try FileSystem.makeDirectory(dir)
                try FileSystem.createNew(path, text: StarterFiles.text(kind, name: name, path: path))
            } catch let e as SystemError where e.code == EEXIST && e.path == path {
                throw CommandFailure("\(path) exists already; it was not overwritten (edit it, or choose another name)")
            } catch {
                throw CommandFailure("cannot write \(path): \(error)")
            }
            Output.line("wrote \(path)")
            if let shipped = paths.shippedDir.map({ "\($0)/\(kind.rawValue)/\(name).lua" }), FileSystem.exists(shipped) {
                // Not an overwrite, but it changes what runs: say so plainly.
                Output.line("note: it shadows the shipped \(shipped), from now on for every daemon that uses '\(name)'; to start from the shipped one instead: cp \(shipped) \(path)")
            }
            switch what {
            case .policy:
                Output.line("try it: tend policy simulate DAEMON --policy \(path) --deaths deaths.json; use it: policy = \"\(name)\" in daemons.lua")
            case .check:
                Output.line("use it: health = \"\(name)\" (or { check = \"\(name)\", … }) in daemons.lua; tend check-config loads it")
            case .plugin:
                Output.line("try it: tend run \(name)")
            }
        }
    }
}
