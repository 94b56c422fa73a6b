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
    /// The Swift implementation; nil for a function written in Lua (`Sources/TendLua/lua/`),
    /// which the Lua layer installs.
    let make: (@Sendable (TendContext) -> LuaHostBody)?

    init(_ module: String, _ name: String, params: [String] = [], returns: [String] = [],
         returnDoc: String = "", doc: String, make: (@Sendable (TendContext) -> LuaHostBody)?) {
        self.module = module
        self.name = name
        self.params = params
        self.returns = returns
        self.returnDoc = returnDoc
        self.doc = doc
        self.make = make
    }

    /// A function of the API written in Lua: documented here, installed by the Lua layer.
    init(lua module: String, _ name: String, params: [String] = [], returns: [String] = [],
         returnDoc: String = "", doc: String) {
        self.init(module, name, params: params, returns: returns, returnDoc: returnDoc, doc: doc, make: nil)
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
