import TendCore

/// The text of `tend startup`, in the seed's format (startup-hook-v2.sh):
///
///     ============================================================
///     Memory System Startup v2.0
///     ============================================================
///
///     [1/10] Initializing context optimization...
///       [OK] Context optimization initialized
///     …
///
///     ============================================================
///     All systems operational!
///     ============================================================
///
/// Pure functions of the outcomes, so the format is tested without running anything.
public struct StartupReport: Sendable {
    public static let rule = String(repeating: "=", count: 60)

    /// ANSI colours for the status tags and the verdict (only on a TTY without NO_COLOR).
    public var colour: Bool

    public init(colour: Bool) { self.colour = colour }

    public func header(_ title: String) -> [String] {
        [Self.rule, paint(title, bold), Self.rule, ""]
    }

    /// `[3/10] Cleaning up stale PIDs...`
    public func stepLine(index: Int, total: Int, title: String) -> String {
        "[\(index)/\(total)] \(title)\(title.hasSuffix("...") ? "" : "...")"
    }

    /// `  [OK] message`; continuation lines of a long message are indented under it.
    public func resultLine(_ outcome: StepOutcome) -> String {
        let (tag, code) = Self.tag(outcome.status)
        let lines = outcome.message.split(separator: "\n", omittingEmptySubsequences: false)
        let first = "  \(paint(tag, code))" + (lines.first.map { $0.isEmpty ? "" : " \($0)" } ?? "")
        return ([first] + lines.dropFirst().map { "       \($0)" }).joined(separator: "\n")
    }

    public func footer(_ outcomes: [StepOutcome]) -> [String] {
        let (warnings, failures) = Self.counts(outcomes)
        let verdict = warnings == 0 && failures == 0
            ? paint("All systems operational!", green)
            : paint("Completed with \(warnings) warning(s) and \(failures) failure(s)", failures > 0 ? red : yellow)
        return ["", Self.rule, verdict, Self.rule]
    }

    /// The whole report at once (what a run prints, line by line as steps finish).
    public func render(title: String, _ outcomes: [StepOutcome]) -> String {
        var lines = header(title)
        for o in outcomes {
            lines.append(stepLine(index: o.index, total: outcomes.count, title: o.title))
            lines.append(resultLine(o))
        }
        return (lines + footer(outcomes)).joined(separator: "\n")
    }

    /// `--format json` (docs/json.md): `{title, ok, counts: {passed, warnings, failures},
    /// steps: [{index, title, status, message, duration_seconds}]}`; `ok` is false when a
    /// step failed (the exit status is 1 then).
    public static func json(title: String, _ outcomes: [StepOutcome]) -> JSONValue {
        let (warnings, failures) = counts(outcomes)
        let steps = outcomes.map { o -> JSONValue in
            .object(["index": JSONOutput.int(o.index), "title": .string(o.title), "status": .string(o.status.rawValue),
                     "message": .string(o.message), "duration_seconds": JSONOutput.seconds(o.durationMs / 1000)])
        }
        return .object([
            "title": .string(title), "ok": .bool(failures == 0), "steps": .array(steps),
            "counts": .object(["passed": JSONOutput.int(outcomes.count - warnings - failures),
                               "warnings": JSONOutput.int(warnings), "failures": JSONOutput.int(failures)]),
        ])
    }

    public static func counts(_ outcomes: [StepOutcome]) -> (warnings: Int, failures: Int) {
        (outcomes.filter { $0.status == .warn }.count, outcomes.filter { $0.status == .fail }.count)
    }

    // MARK: Colour

    private let green = "32", yellow = "33", red = "31", bold = "1"

    private static func tag(_ status: StepOutcome.Status) -> (String, String) {
        switch status {
        case .ok: return ("[OK]", "32")
        case .warn: return ("[WARN]", "33")
        case .fail: return ("[FAIL]", "31")
        }
    }

    private func paint(_ text: String, _ code: String) -> String {
        colour ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text
    }
}
