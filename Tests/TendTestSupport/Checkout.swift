import TendSystem

/// The checkout the tests were built from: its shipped scripts and docs.
public enum Checkout {
    /// The top level (where Package.swift is).
    public static let root: String = {
        var dir = FileSystem.parentDirectory(of: #filePath)
        while !FileSystem.exists("\(dir)/Package.swift") { dir = FileSystem.parentDirectory(of: dir) }
        return dir
    }()
}
