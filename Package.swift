// swift-tools-version:6.0
import PackageDescription

// Layers, each depending only on the ones below it:
//   CSystemShim / CLua + CLuaShim   C glue (the only place that raises Lua errors)
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
        .target(name: "TendLua", dependencies: ["TendCore", "TendSystem", "CLuaShim"]),
        .executableTarget(name: "tend", dependencies: [
            "TendLua", "TendCore", "TendSystem",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .target(name: "TendTestSupport", dependencies: ["TendSystem"], path: "Tests/TendTestSupport"),
        .testTarget(name: "TendSystemTests", dependencies: ["TendSystem", "TendTestSupport"]),
        .testTarget(name: "TendCoreTests", dependencies: ["TendCore", "TendTestSupport"]),
        .testTarget(name: "TendLuaTests", dependencies: ["TendLua", "TendTestSupport"]),
        .testTarget(name: "TendCLITests", dependencies: ["tend", "TendTestSupport", "TendSystem", "TendCore"]),
    ],
    swiftLanguageModes: [.v6]
)
