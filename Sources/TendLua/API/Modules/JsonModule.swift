import TendCore

/// `tend.json`: data ⇄ JSON text, through the same bridge as everything else.
enum JsonModule {
    static let functions: [HostFunctionSpec] = [
        HostFunctionSpec("tend.json", "encode", params: ["value: any"], returns: ["string"],
                         doc: "Compact JSON text (keys sorted). Tables with keys 1..n are arrays; functions are refused with an error.") { _ in
            { call in
                call.stack.push(try call.data(1).serialized())
                return 1
            }
        },
        HostFunctionSpec("tend.json", "decode", params: ["text: string"], returns: ["any", "string?"],
                         returnDoc: "the value, or nil and an error message",
                         doc: "Parses JSON text; `null` becomes nil.") { _ in
            { call in
                let text = try call.string(1)
                return try call.attempt {
                    do { call.stack.push(try JSONValue.parse(text)) }
                    catch { throw LuaHostError("invalid JSON: \(firstLine(error))") }
                }
            }
        },
    ]

    static func firstLine(_ error: Error) -> String {
        String(String(describing: error).prefix { $0 != "\n" }.prefix(200))
    }
}
