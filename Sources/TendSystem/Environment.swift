#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Variables of this process's environment, one at a time or from a given table (tests,
/// a worker handed its own). Looking one up costs a `getenv`, not a dictionary of all of
/// them: every command starts by resolving its home and config dir this way.
public struct Environment: Sendable {
    private let table: [String: String]?

    /// This process's environment.
    public static let current = Environment(table: nil)

    public init(_ table: [String: String]) { self.table = table }
    private init(table: [String: String]?) { self.table = table }

    public subscript(_ key: String) -> String? {
        if let table { return table[key] }
        return getenv(key).map { String(cString: $0) }
    }
}
