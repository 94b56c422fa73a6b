import TendSystem

/// The one convention of every `--format json` and `--json` (docs/json.md):
/// - a command prints one document, a JSON object indented by two spaces with its keys
///   sorted; a stream (`tend logs --json`) prints one compact record a line;
/// - times are ISO-8601 UTC strings with milliseconds, in keys ending in `_at` and `ts`;
/// - durations are numbers of seconds, in keys ending in `_seconds`;
/// - one name for one thing: `daemon` (its name), `state`, `pid`, and `ok`, always a
///   boolean that says what the exit status says (counts have other names).
public enum JSONOutput {
    /// The text a command prints for `value` (its outermost object).
    public static func document(_ value: JSONValue) -> String {
        value.pretty()
    }

    /// A wall-clock time (seconds since the epoch) as the convention writes it.
    public static func time(_ seconds: Double) -> JSONValue {
        .string(Clock.iso8601(seconds))
    }

    /// A duration in seconds, to the microsecond.
    public static func seconds(_ value: Double) -> JSONValue {
        .double((value * 1_000_000).rounded() / 1_000_000)
    }

    public static func int<I: BinaryInteger>(_ value: I) -> JSONValue {
        .int(Int64(value))
    }
}

extension Dictionary where Key == String, Value == JSONValue {
    /// Sets `key` only when there is a value: absent keys mean "unknown or does not apply".
    public mutating func setIfPresent(_ key: String, _ value: JSONValue?) {
        if let value { self[key] = value }
    }
}
