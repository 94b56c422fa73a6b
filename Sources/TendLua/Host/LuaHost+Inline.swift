import CLuaShim

/// Functions written inline in daemons.lua (`health = function(d) … end`) live in one
/// registry table of the host's VM, under the key `DaemonSpec.Health.inline(key:)` names.
extension LuaHost {
    private static let inlineTable = "tend.inline"

    /// Pushes the table of inline functions, creating it on first use.
    private func pushInlineTable() {
        let s = vm.stack
        if s.rawGet(LuaStack.registryIndex, Self.inlineTable) != LUA_TTABLE {
            s.pop()
            s.newTable()
            s.push(index: -1)
            s.rawSet(LuaStack.registryIndex, Self.inlineTable)
        }
    }

    /// Pops the function on top and keeps it under `key` (replacing an older one).
    func storeInline(key: String) {
        pushInlineTable()
        vm.stack.push(index: -2)
        vm.stack.rawSet(-2, key)
        vm.stack.pop(2)
    }

    /// Pushes the function kept under `key`; false (nothing pushed) if there is none.
    func pushInline(key: String) -> Bool {
        pushInlineTable()
        let found = vm.stack.rawGet(-1, key) == LUA_TFUNCTION
        tend_lua_remove(vm.stack.L, -2)
        if !found { vm.stack.pop() }
        return found
    }

    /// Whether an inline function is kept under `key`.
    func hasInline(key: String) -> Bool {
        guard pushInline(key: key) else { return false }
        vm.stack.pop()
        return true
    }

    /// `file:line` where an inline function was defined (for messages).
    func inlineLocation(key: String) -> String? {
        guard pushInline(key: key) else { return nil }
        return vm.stack.functionLocation()
    }
}

extension LuaStack {
    /// Pops the function on top and returns where it was defined (`file:line`; for the
    /// files compiled into tend, their `[tend] name.lua:line`).
    func functionLocation() -> String? {
        var ar = lua_Debug()
        guard lua_getinfo(L, ">S", &ar) != 0, let source = ar.source else { return nil }
        var file = String(cString: source)
        guard file.hasPrefix("@") || file.hasPrefix("=") else { return nil }
        file.removeFirst()
        return "\(file):\(ar.linedefined)"
    }
}
