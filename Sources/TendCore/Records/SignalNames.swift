import TendSystem

/// Signal names for records people read (a seam over `Signals.name` so Core code
/// that only formats need not care where names come from).
enum SignalNames {
    static func name(_ signal: Int32) -> String { Signals.name(signal) }
}
