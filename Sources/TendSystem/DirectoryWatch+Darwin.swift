#if os(macOS)
import Darwin

/// macOS side of the seam: no inotify here, so the directory is listed again every
/// second (`rescanInterval`); `changes()` always answers `.rescan`.
public final class DirectoryWatch {
    public let path: String

    public init(path: String) throws { self.path = path }

    public var descriptor: Int32? { nil }
    public var rescanInterval: Double? { 1.0 }
    public func changes() -> [Change] { [.rescan] }
}
#endif
