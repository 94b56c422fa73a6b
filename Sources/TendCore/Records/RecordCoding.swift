/// The records Tend keeps on disk (state, history, helper identities): indented by two
/// spaces, keys sorted, a newline at the end — the layout JSONEncoder gave them, so a
/// person reading a file sees what they always saw.
public enum RecordCoding {
    public static func encode<T: JSONCodable>(_ value: T) -> String {
        value.jsonValue.pretty() + "\n"
    }

    /// Callers add the file's path to the error, which says the line and column, or the key.
    public static func decode<T: JSONCodable>(_ type: T.Type, from text: String) throws -> T {
        try T.decoded(from: text)
    }
}
