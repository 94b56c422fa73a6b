import TendCore

/// `tend.home()`, `tend.config_dir()`: where things are.
enum TopModule {
    static let functions: [HostFunctionSpec] = [
        HostFunctionSpec("tend", "home", returns: ["string"],
                         doc: "The state directory (`--home`, `$TEND_HOME`, …): `.pids/`, `logs/`, …") { ctx in
            { call in call.stack.push(ctx.home.root); return 1 }
        },
        HostFunctionSpec("tend", "config_dir", returns: ["string"],
                         doc: "The user's script directory (`--config-dir`, `$TEND_CONFIG_DIR`, `~/.config/tend`).") { ctx in
            { call in call.stack.push(ctx.paths.configDir); return 1 }
        },
    ]
}
