// swift-tools-version: 6.1
import PackageDescription

// Benchmarks live in their own package so that `swift test` never builds or runs them.
// `Benchmarks/run.sh NAME` builds this in release mode and runs one benchmark beside its peer.
let package = Package(
    name: "CatalynxBenchmarks",
    platforms: [.macOS(.v14)],
    dependencies: [.package(name: "Catalynx", path: "..")],
    targets: [
        .executableTarget(name: "catalynx-bench", dependencies: [
            .product(name: "AgentCore", package: "Catalynx"),
            .product(name: "AgentStore", package: "Catalynx"),
            .product(name: "Nonprofit", package: "Catalynx"),
            .product(name: "GrantResearch", package: "Catalynx"),
            .product(name: "AgentSchema", package: "Catalynx"),
            .product(name: "AgentTools", package: "Catalynx"),
        ]),
    ],
    swiftLanguageModes: [.v6]
)
