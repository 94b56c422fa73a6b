import TendCore
import TendSystem

/// Tend's shipped restart policy, decided in the monitor when a daemon uses it as shipped.
///
/// A decision through a script worker is a round trip between two processes: about
/// 0.4 ms on this machine, most of what a restart costs. The shipped
/// `policies/restart.lua` is Tend's own code, already compiled in and run by
/// `BuiltinPolicy` in a state no user code reaches. So when a daemon's policy name finds
/// the shipped file (no copy of the user's shadows it), that file passes the safety
/// rules every script is held to, and its bytes are the ones compiled in, the monitor
/// decides itself: the same answer, and the same record (that file, its current
/// version), as a worker would give. Any other policy, or an edited shipped file, is the
/// worker's.
public final class ShippedPolicy: InProcessPolicy {
    private let builtin: BuiltinPolicy
    private let paths: ScriptPaths
    /// The shipped file as last examined: whether it is the compiled-in policy.
    private var examined: (path: String, stamp: FileStamp, compiledIn: Bool)?

    public init(builtin: BuiltinPolicy, paths: ScriptPaths) {
        self.builtin = builtin
        self.paths = paths
    }

    public func decideIfCovered(_ context: RestartContext) -> RestartDecision? {
        guard let file = coveredFile(for: context.daemon.policy) else { return nil }
        var decision = builtin.decide(context)
        decision.policy = file
        return decision
    }

    /// The shipped file the policy name finds, when it is the compiled-in policy.
    func coveredFile(for name: String) -> String? {
        guard name == "restart", let shipped = paths.shippedDir,
              case .found(let path) = paths.locate(name, kind: .policy), path == "\(shipped)/policies/restart.lua",
              let stamp = FileStamp(path) else { return nil }
        if let examined, examined.path == path, examined.stamp == stamp { return examined.compiledIn ? path : nil }
        let compiledIn = Self.isCompiledIn(path)
        examined = (path, stamp, compiledIn)
        return compiledIn ? path : nil
    }

    private static func isCompiledIn(_ path: String) -> Bool {
        guard let bytes = try? FileSystem.readBytes(path, inspect: { try ScriptFileSafety.check($0, path: path) }) else { return false }
        return bytes.elementsEqual(EmbeddedLua.restartPolicy.bytes)
    }
}
