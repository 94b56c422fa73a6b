#if os(macOS)
import Darwin

// macOS side of the seam: no watch yet (kqueue EVFILT_VNODE would do); `wait` polls.
// Untested: Tend's tests run on Linux only (see README, "Platforms").
extension FileWatch {
    /// Between polls while following: short enough to feel live, long enough to cost nothing.
    static let pollInterval: Double = 0.15

    static func openPlatformWatch(_ directories: [String]) -> Int32? { nil }

    static func drainEvents(_ fd: Int32) {}
}
#endif
