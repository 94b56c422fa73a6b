#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import TendSystem

/// `tend.time`: wall and monotonic clocks, timestamps, sleeping.
enum TimeModule {
    static let functions: [HostFunctionSpec] = [
        HostFunctionSpec("tend.time", "now", returns: ["number"], doc: "Wall-clock time, epoch seconds (with fractions).") { _ in
            { call in call.stack.push(Clock.now()); return 1 }
        },
        HostFunctionSpec("tend.time", "monotonic", returns: ["number"],
                         doc: "Seconds on a clock that never jumps: for durations and deadlines.") { _ in
            { call in call.stack.push(Clock.monotonic()); return 1 }
        },
        HostFunctionSpec("tend.time", "iso8601", params: ["t?: number"], returns: ["string"],
                         doc: "`2026-11-25T09:18:26.123Z` for epoch seconds `t` (default: now), UTC.") { _ in
            { call in call.stack.push(Clock.iso8601(try call.optionalNumber(1) ?? Clock.now())); return 1 }
        },
        HostFunctionSpec("tend.time", "sleep", params: ["seconds: number"],
                         doc: "Sleeps (a real sleep: for plugins). Under a time budget (policies, health checks) it never sleeps past the budget.") { _ in
            { call in
                var seconds = max(0, try call.number(1))
                if let left = Budget.remaining(call) { seconds = min(seconds, left) }
                sleepSeconds(seconds)
                return 0
            }
        },
    ]

    /// nanosleep, resumed after signal interruptions until the time is up.
    static func sleepSeconds(_ seconds: Double) {
        let end = Clock.monotonic() + seconds
        while true {
            let left = end - Clock.monotonic()
            if left <= 0 { return }
            var ts = timespec(tv_sec: Int(left), tv_nsec: Int((left - left.rounded(.down)) * 1e9))
            _ = nanosleep(&ts, nil)
        }
    }
}
