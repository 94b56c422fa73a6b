import ArgumentParser

extension Tend {
    /// `tend policy …`: tools for people writing restart policies.
    struct Policy: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Tools for writing restart policies.",
            subcommands: [Simulate.self])
    }
}
