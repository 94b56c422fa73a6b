/// A dry run (`tend policy simulate`) replays a policy without touching anything: its
/// `tend.log` records are captured (`TendContext.dryRun`) and the functions that start,
/// signal or write do nothing and return `nil, "not done in a dry run …"` — an expected
/// failure a script already handles — so the replay goes on and nothing changes.
enum DryRun {
    /// Every function of the registry that changes the system (tested against it).
    static let refused: Set<String> = [
        "tend.process.signal", "tend.process.run",
        "tend.pid.write", "tend.pid.remove", "tend.pid.cleanup",
        "tend.fs.write", "tend.fs.append", "tend.fs.mkdir", "tend.fs.remove", "tend.fs.rename",
        "tend.daemons.ensure_monitor", "tend.daemons.start_all", "tend.daemons.start", "tend.daemons.stop",
        "tend.daemons.restart",
    ]

    /// The implementation to install for `spec` in `context`.
    static func body(_ spec: HostFunctionSpec, _ context: TendContext) -> LuaHostBody {
        guard context.dryRun != nil, refused.contains(spec.qualifiedName) else { return spec.make(context) }
        let message = "\(spec.qualifiedName): not done in a dry run (tend policy simulate changes nothing)"
        return { call in call.failure(message) }
    }
}
