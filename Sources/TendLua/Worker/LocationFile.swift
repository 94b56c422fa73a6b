#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import TendCore
import TendSystem

/// The worker's side of its location file (`WorkerLocation` has the layout and the
/// monitor's reader): mapped shared, the request id written here at the start and end of
/// each request, the Lua location written by the state's hook straight into the mapping.
public final class LocationFile {
    private let base: UnsafeMutableRawPointer

    public init(path: String) throws {
        let fd = retryingOnInterrupt { open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600) }
        guard fd >= 0 else { throw SystemError("open", path: path) }
        defer { close(fd) }
        guard ftruncate(fd, off_t(WorkerLocation.size)) == 0 else { throw SystemError("ftruncate", path: path) }
        guard let p = mmap(nil, WorkerLocation.size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0), p != MAP_FAILED else {
            throw SystemError("mmap", path: path)
        }
        base = p
        memset(base, 0, WorkerLocation.size)
    }

    deinit { munmap(base, WorkerLocation.size) }

    /// Makes `vm`'s location hook write into the mapping (until `detach`).
    func attach(_ vm: LuaVM) {
        vm.keepLocation(in: (base + WorkerLocation.locationOffset).assumingMemoryBound(to: CChar.self),
                        size: WorkerLocation.size - WorkerLocation.locationOffset)
    }

    func detach(_ vm: LuaVM) { vm.keepLocation(in: nil, size: 0) }

    /// The request being run (0: idle).
    func setRequest(_ id: UInt64) {
        base.storeBytes(of: id.littleEndian, as: UInt64.self)
    }
}
