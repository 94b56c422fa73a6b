/// One function of the `tend` module: its documentation and its implementation side by
/// side, so the reference (`docs/lua-api.md`) and the editor stubs (`docs/tend.meta.lua`)
/// are generated from the very list that is installed into Lua.
public struct HostFunctionSpec: Sendable {
    /// `tend`, `tend.process`, …
    public let module: String
    public let name: String
    /// `"pid: integer"`, `"start_time?: integer"` (a `?` after the name: optional).
    public let params: [String]
    /// LuaLS types of the results, e.g. `["string?", "string?"]` for `text | nil, err`.
    public let returns: [String]
    /// What the results mean, for people: `"text, or nil and an error message"`.
    public let returnDoc: String
    /// One line: what it does.
    public let doc: String
    let make: @Sendable (TendContext) -> LuaHostBody

    init(_ module: String, _ name: String, params: [String] = [], returns: [String] = [],
         returnDoc: String = "", doc: String, make: @escaping @Sendable (TendContext) -> LuaHostBody) {
        self.module = module
        self.name = name
        self.params = params
        self.returns = returns
        self.returnDoc = returnDoc
        self.doc = doc
        self.make = make
    }

    /// `tend.process.info`
    public var qualifiedName: String { "\(module).\(name)" }

    /// `tend.process.info(pid: integer) -> tend.ProcessInfo?`
    public var signature: String {
        let head = "\(qualifiedName)(\(params.joined(separator: ", ")))"
        return returns.isEmpty ? head : "\(head) -> \(returns.joined(separator: ", "))"
    }
}

/// A table shape the API returns or takes, for the generated docs.
public struct HostTypeSpec: Sendable {
    public let name: String
    public let doc: String
    /// `"pid: integer"`, `"cmdline: string[]"`, …
    public let fields: [String]
}
