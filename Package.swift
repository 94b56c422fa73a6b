// swift-tools-version:6.0
import PackageDescription

// Layers, each depending only on the ones below it:
//   CSystemShim / CLua + CLuaShim   C glue (the only place that raises Lua errors)
//   CLuaScripts                     the Lua files compiled into the binary (C23 #embed)
//   TendSystem                      typed process, signal, PID and file primitives
//   TendCore                        supervision: state machine, records, logs, monitor
//   TendLua                         the Lua host: runtime, error bridge, `tend` modules
//   tend                            the executable, one file per command
let package = Package(
    name: "tend",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "tend", targets: ["tend"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        .systemLibrary(
            name: "CLua",
            pkgConfig: "lua5.4",
            providers: [.apt(["liblua5.4-dev"]), .brew(["lua"])]
        ),
        .target(name: "CLuaShim", dependencies: ["CLua"]),
        .target(name: "CSystemShim"),
        .target(name: "TendSystem", dependencies: ["CSystemShim"]),
        .target(name: "TendCore", dependencies: ["TendSystem"]),
        .target(name: "CLuaScripts"),
        // lua/: the host's Lua layer, embedded by CLuaScripts (not Swift sources).
        .target(name: "TendLua", dependencies: ["TendCore", "TendSystem", "CLuaShim", "CLuaScripts"], exclude: ["lua"]),
        .executableTarget(name: "tend", dependencies: [
            "TendLua", "TendCore", "TendSystem",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ], linkerSettings: [
            // Release: a position-dependent executable. A PIE of the static Swift stdlib
            // makes the dynamic loader apply 42,000 relocations at every start: 1 MB of
            // relocation table read, 0.5 MB of data written in each process. Without them
            // the monitor and the log writer, which live as long as the home, take 1.6 MB
            // less together (PSS). The cost: no ASLR for the executable's own image
            // (libraries, heap, stack and mmap stay randomized).
            .unsafeFlags(["-Xclang-linker", "-no-pie"], .when(platforms: [.linux], configuration: .release)),
        ]),
        .target(name: "TendTestSupport", dependencies: ["TendSystem"], path: "Tests/TendTestSupport"),
        .testTarget(name: "TendSystemTests", dependencies: ["TendSystem", "TendTestSupport"]),
        .testTarget(name: "TendCoreTests", dependencies: ["TendCore", "TendTestSupport"]),
        .testTarget(name: "TendLuaTests", dependencies: ["TendLua", "TendTestSupport"]),
        .testTarget(name: "TendCLITests", dependencies: ["tend", "TendTestSupport", "TendSystem", "TendCore"]),
    ],
    swiftLanguageModes: [.v6]
)
