/// The process's open log writers, one per path. health.log and policy-hits.log are
/// written for every daemon; sharing one writer per path means the monitor keeps one
/// descriptor per file instead of reopening it per line or per daemon.
public final class LogFileRegistry: @unchecked Sendable {
    public static let shared = LogFileRegistry()

    private let lock = LoggingLock()
    private var files: [String: RotatingLogFile] = [:]

    public init() {}

    /// The writer for `path`. When it was created with other rotation options, a new
    /// writer replaces it (both are safe together: they coordinate through `flock`).
    public func file(at path: String, options: RotationOptions) -> RotatingLogFile {
        lock.withLock {
            if let existing = files[path], existing.options == options { return existing }
            let file = RotatingLogFile(path: path, options: options)
            files[path] = file
            return file
        }
    }

    /// Closes and forgets the writer of `path`, if there is one (the log writer, once a
    /// daemon's pipes are gone: a descriptor per daemon ever seen would leak).
    public func close(at path: String) {
        let file = lock.withLock { files.removeValue(forKey: path) }
        file?.close()
    }

    /// Closes and forgets every writer (tests; a monitor told to reopen its logs).
    public func closeAll() {
        let all = lock.withLock { () -> [RotatingLogFile] in
            defer { files.removeAll() }
            return Array(files.values)
        }
        all.forEach { $0.close() }
    }
}
