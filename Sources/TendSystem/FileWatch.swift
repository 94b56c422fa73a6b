#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Waits until something changes in a few directories (a log written, rotated, created):
/// `tend logs --follow` sleeps here instead of polling. The platform decides how
/// (`FileWatch+Linux.swift`: inotify; `FileWatch+Darwin.swift`: a short poll); either
/// way `wait` returns by its timeout, so a missed event costs at most that long.
public final class FileWatch {
    /// The descriptor that becomes readable on a change, or nil: the platform polls.
    private let fd: Int32?

    /// Watches `directories` (missing ones are skipped: their changes are seen by timeout).
    public init(directories: [String]) {
        fd = Self.openPlatformWatch(directories)
    }

    deinit {
        if let fd { _ = closeFD(fd) }
    }

    /// True when changes wake `wait` at once; false when it polls.
    public var isEventDriven: Bool { fd != nil }

    /// Returns true as soon as something changed, false after `timeout` seconds without
    /// a change (when polling: after one poll interval, false).
    @discardableResult
    public func wait(timeout: Double) -> Bool {
        guard let fd else {
            _ = Poller.waitReadable([], timeout: min(timeout, Self.pollInterval))
            return false
        }
        guard !Poller.waitReadable([fd], timeout: timeout).isEmpty else { return false }
        Self.drainEvents(fd)
        return true
    }
}
