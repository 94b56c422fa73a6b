import TendSystem

/// The location file of a script worker (`--location-file PATH`, e.g.
/// `.run/worker-N.where`): 4096 bytes the worker keeps mapped and updates from a Lua hook,
/// so the monitor can say where Lua was before it kills a worker that missed a deadline.
///
///     bytes 0–7   the id of the request being run, little-endian UInt64 (0: idle)
///     bytes 8…    the innermost Lua frame, "file:line", NUL-terminated
///
/// The worker writes while the monitor reads, without a lock: a read may catch a line
/// number half-written, which is good enough for a message.
public enum WorkerLocation {
    public static let size = 4096
    public static let locationOffset = 8

    /// The request id and location in the file at `path`, or nil when it cannot be read.
    public static func read(_ path: String) -> (requestID: UInt64, location: String?)? {
        guard let bytes = try? FileSystem.readBytes(path), bytes.count >= locationOffset else { return nil }
        var id: UInt64 = 0
        for i in 0..<8 { id |= UInt64(bytes[i]) << (8 * UInt64(i)) }
        let text = bytes[locationOffset...].prefix { $0 != 0 }
        return (id, text.isEmpty ? nil : String(decoding: text, as: UTF8.self))
    }
}
