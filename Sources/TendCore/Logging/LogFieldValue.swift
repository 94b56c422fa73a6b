/// Values typed on a command line (`tend log NAME msg count=3 ok=true`) become JSON of
/// the type they look like, so `jq` and policies can compare numbers as numbers.
extension JSONValue {
    /// Integer, then finite double, then `true`/`false`, else the text as a string.
    /// Numbers with a leading zero (`007`, an ID) stay strings.
    public init(commandLineValue text: String) {
        let digits = text.hasPrefix("-") || text.hasPrefix("+") ? String(text.dropFirst()) : text
        let leadingZero = digits.count > 1 && digits.hasPrefix("0") && !digits.hasPrefix("0.")
        if !leadingZero, let i = Int64(text) {
            self = .int(i)
        } else if !leadingZero, let d = Double(text), d.isFinite,
                  text.unicodeScalars.allSatisfy({ "0123456789+-.eE".unicodeScalars.contains($0) }) {
            self = .double(d)
        } else if text == "true" || text == "false" {
            self = .bool(text == "true")
        } else {
            self = .string(text)
        }
    }

    /// Splits `key=value` at the first `=`; nil when there is none or the key is empty.
    public static func commandLineField(_ text: String) -> (key: String, value: JSONValue)? {
        guard let eq = text.firstIndex(of: "="), eq != text.startIndex else { return nil }
        return (String(text[..<eq]), JSONValue(commandLineValue: String(text[text.index(after: eq)...])))
    }
}
