import TendSystem
#if canImport(Glibc)
import Glibc
#endif

/// A fresh folder under /tmp for one test; `remove()` deletes it with all it holds.
public struct ScratchDirectory {
    public let path: String

    public init(_ name: String) throws {
        path = "/tmp/tend-\(name)-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileSystem.makeDirectory(path, mode: 0o700)
    }

    public func remove() {
        _ = try? CommandRunner.run(["/bin/rm", "-rf", path])
    }
}
