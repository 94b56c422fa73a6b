#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CSystemShim

/// One reaped child: its PID and raw wait status.
public struct ReapedChild: Sendable, Equatable {
    public let pid: Int32
    public let status: Int32
}

public enum Reaper {
    /// Makes orphaned descendants of this process its children again (Linux's child
    /// subreaper), so a daemon's leftovers and a self-daemonizing program's child come back
    /// to the monitor instead of init. False where the platform has no such thing.
    @discardableResult
    public static func becomeSubreaper() -> Bool { tend_become_subreaper() == 0 }

    /// True once our child `pid` has exited (it is reaped here).
    public static func hasExited(_ pid: Int32) -> Bool {
        var status: Int32 = 0
        return waitpid(pid, &status, WNOHANG) == pid
    }

    /// Reaps every child that has exited (SIGCHLD deliveries coalesce, so loop).
    public static func reapAll() -> [ReapedChild] {
        var result: [ReapedChild] = []
        while true {
            var status: Int32 = 0
            let pid = waitpid(-1, &status, WNOHANG)
            if pid > 0 { result.append(ReapedChild(pid: pid, status: status)); continue }
            if pid == -1 && errno == EINTR { continue }
            return result
        }
    }
}
