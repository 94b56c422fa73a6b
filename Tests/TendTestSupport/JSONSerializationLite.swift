#if canImport(FoundationEssentials)
import FoundationEssentials
#endif
import Foundation

/// JSON for test assertions ([String: Any] is handy there; the product never uses it).
public enum JSONSerializationLite {
    public static func parse(_ text: String) throws -> [String: Any] {
        let value = try JSONSerialization.jsonObject(with: Data(text.utf8))
        guard let object = value as? [String: Any] else { throw NSError(domain: "json", code: 1) }
        return object
    }

    public static func parseAny(_ text: String) throws -> Any {
        try JSONSerialization.jsonObject(with: Data(text.utf8))
    }
}
