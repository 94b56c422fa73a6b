import TendSystem

/// Waiting for a condition with a deadline (never a bare sleep as the assertion):
/// deadlines are generous because CI runs on a noisy 2-core machine.
public enum Wait {
    @discardableResult
    public static func until(timeout: Double = 20, every interval: Double = 0.01, _ condition: () throws -> Bool) rethrows -> Bool {
        let deadline = Clock.monotonic() + timeout
        while true {
            if try condition() { return true }
            if Clock.monotonic() > deadline { return false }
            _ = Poller.waitReadable([], timeout: interval)
        }
    }

    /// Polls `produce` until it returns a value.
    public static func value<T>(timeout: Double = 20, _ produce: () throws -> T?) rethrows -> T? {
        var result: T?
        _ = try until(timeout: timeout) { result = try produce(); return result != nil }
        return result
    }
}
