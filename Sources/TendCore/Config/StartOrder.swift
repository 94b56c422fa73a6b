/// The `after = { … }` graph of a configuration: every name must be declared, and no
/// daemon may need itself through others (a cycle would never start).
public enum StartOrder {
    public struct Problem: Sendable, Equatable {
        /// The daemon whose declaration the problem is reported at.
        public var daemon: String
        public var message: String
        /// Every daemon that cannot start because of it (all members of a cycle).
        public var concerns: [String]

        public init(daemon: String, message: String, concerns: [String]? = nil) {
            self.daemon = daemon
            self.message = message
            self.concerns = concerns ?? [daemon]
        }
    }

    /// Every unknown name and every cycle, in declaration order. `declared` holds every
    /// name declared in the file (also those whose declarations had other problems, so
    /// they are not called unknown); `specs` are the daemons read whole.
    public static func problems(_ specs: [DaemonSpec], declared: [String]) -> [Problem] {
        var problems: [Problem] = []
        for spec in specs {
            for name in spec.after where !declared.contains(name) {
                let hint = NearestName.suggest(name, among: declared).map { "; did you mean '\($0)'?" } ?? ""
                problems.append(Problem(daemon: spec.name, message: "'after' names '\(name)', which is not declared\(hint)"))
            }
        }
        return problems + cycles(specs).map { cycle in
            Problem(daemon: cycle[0], message: "'after' makes a cycle: \((cycle + [cycle[0]]).joined(separator: " -> ")) (none of them could start)",
                    concerns: cycle)
        }
    }

    /// Each cycle once, starting at its member declared first, following `after`.
    static func cycles(_ specs: [DaemonSpec]) -> [[String]] {
        let needs = Dictionary(specs.map { ($0.name, $0.after) }, uniquingKeysWith: { first, _ in first })
        let order = Dictionary(specs.enumerated().map { ($1.name, $0) }, uniquingKeysWith: { first, _ in first })
        var finished = Set<String>()
        var found: [[String]] = []
        var seenMembers: [Set<String>] = []

        func visit(_ name: String, path: [String]) {
            if finished.contains(name) { return }
            if let start = path.firstIndex(of: name) {
                var cycle = Array(path[start...])
                let members = Set(cycle)
                if seenMembers.contains(members) { return }
                seenMembers.append(members)
                let first = cycle.indices.min { order[cycle[$0]]! < order[cycle[$1]]! }!
                cycle = Array(cycle[first...] + cycle[..<first])
                found.append(cycle)
                return
            }
            for next in needs[name] ?? [] where needs[next] != nil {
                visit(next, path: path + [name])
            }
            finished.insert(name)
        }
        for spec in specs { visit(spec.name, path: []) }
        return found.sorted { order[$0[0]]! < order[$1[0]]! }
    }

    /// `names` in stages that stop dependents before what they depend on: each stage may
    /// be stopped once the stages before it are down. `after` gives a daemon's needs.
    public static func stopStages(_ names: [String], after: (String) -> [String]) -> [[String]] {
        var left = Set(names)
        var stages: [[String]] = []
        while !left.isEmpty {
            // Those no other daemon still to stop depends on (one pass over the needs: a
            // thousand daemons' stop --all is not a million lookups).
            let needed = Set(left.flatMap { other in after(other).filter { $0 != other } })
            let free = left.subtracting(needed)
            let stage = free.isEmpty ? left : free   // a cycle (refused at load) cannot stall a stop
            stages.append(names.filter(stage.contains))
            left.subtract(stage)
        }
        return stages
    }
}
