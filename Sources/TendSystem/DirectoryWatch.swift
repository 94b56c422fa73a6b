/// What `DirectoryWatch.changes()` reports (the watch itself is per platform:
/// `DirectoryWatch+Linux.swift`, `DirectoryWatch+Darwin.swift`).
extension DirectoryWatch {
    public enum Change: Equatable, Sendable {
        case added(String)
        case removed(String)
        /// Events were lost or the directory was replaced: compare a fresh listing.
        case rescan
    }
}
