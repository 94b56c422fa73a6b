import ArgumentParser
import TendCore
import TendSystem

extension Tend {
    struct History: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "history",
            abstract: "Show a daemon's restart history (newest 100 events).")

        @OptionGroup var global: GlobalOptions
        @Option(help: "Output format.") var format: Output.Format = .table
        @Argument(help: "Daemon name.", completion: Completions.daemons) var name: String

        func run() throws {
            let context = CommandContext(global)
            _ = try context.selectNames([name], all: false)
            let (history, problem) = RestartHistory.load(context.home, name)
            if let problem { Output.problem(problem.description) }
            switch format {
            case .json: Output.line(JSONOutput.document(.object(["daemon": .string(name), "events": .array(history.events.map(\.json))])))
            case .table:
                if history.events.isEmpty { return Output.line("\(name): no restarts recorded") }
                let rows = history.events.map { e in
                    [Clock.iso8601(e.time), e.reason, e.oldPID.map(String.init) ?? "-", e.newPID.map(String.init) ?? "-",
                     e.success ? "yes" : "no" + (e.error.map { " (\($0))" } ?? ""), e.manual ? "manual" : "policy"]
                }
                Output.line(Output.table(["Time", "Reason", "Old PID", "New PID", "Success", "By"], rows))
            }
        }
    }
}

extension RestartEvent {
    /// One event of `tend history --format json` (docs/json.md).
    var json: JSONValue {
        var o: [String: JSONValue] = ["ts": JSONOutput.time(time), "reason": .string(reason), "ok": .bool(success),
                                      "manual": .bool(manual)]
        o.setIfPresent("old_pid", oldPID.map(JSONOutput.int))
        o.setIfPresent("new_pid", newPID.map(JSONOutput.int))
        o.setIfPresent("error", error.map(JSONValue.string))
        return .object(o)
    }
}
