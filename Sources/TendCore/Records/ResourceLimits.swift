import TendSystem

/// `limits = { nofile = N, nproc = N, core = N, memory_mb = N }` of a daemon: what the
/// spawner sets with `setrlimit` (soft and hard) before exec. Absent keys leave the
/// monitor's own limit in force.
public struct ResourceLimits: Sendable, Equatable {
    /// RLIMIT_NOFILE: open descriptors.
    public var nofile: UInt64?
    /// RLIMIT_NPROC: processes of the user.
    public var nproc: UInt64?
    /// RLIMIT_CORE, in bytes; 0 turns core dumps off.
    public var core: UInt64?
    /// RLIMIT_AS, in MiB: the address space.
    public var memoryMB: UInt64?

    public init(nofile: UInt64? = nil, nproc: UInt64? = nil, core: UInt64? = nil, memoryMB: UInt64? = nil) {
        self.nofile = nofile
        self.nproc = nproc
        self.core = core
        self.memoryMB = memoryMB
    }

    /// The keys daemons.lua accepts, in the order messages list them.
    public static let keys = ["nofile", "nproc", "core", "memory_mb"]

    /// The largest `memory_mb` whose byte count still fits a 64-bit rlimit.
    public static let maxMemoryMB: UInt64 = 1 << 43

    public var isEmpty: Bool { self == ResourceLimits() }

    /// As the spawner sets them (before exec).
    public var spawnLimits: [Spawner.Limit] {
        var result: [Spawner.Limit] = []
        if let nofile { result.append(.openFiles(nofile)) }
        if let nproc { result.append(.processes(nproc)) }
        if let core { result.append(.coreBytes(core)) }
        if let memoryMB { result.append(.addressSpace(bytes: memoryMB << 20)) }
        return result
    }
}

/// The keys of daemons.lua (`memory_mb`); absent ones are nil.
extension ResourceLimits: JSONCodable {
    public var jsonValue: JSONValue {
        .members(["nofile": nofile, "nproc": nproc, "core": core, "memory_mb": memoryMB])
    }

    public init(jsonValue: JSONValue) throws {
        let o = try JSONObjectReader(jsonValue)
        self.init(nofile: try o.optional("nofile"), nproc: try o.optional("nproc"), core: try o.optional("core"),
                  memoryMB: try o.optional("memory_mb"))
    }
}
