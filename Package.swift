// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "Catalynx",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "catalynx", targets: ["catalynx"]),
        .library(name: "AgentCore", targets: ["AgentCore"]),
        .library(name: "AgentStore", targets: ["AgentStore"]),
        .library(name: "Nonprofit", targets: ["Nonprofit"]),
        .library(name: "GrantResearch", targets: ["GrantResearch"]),
        .library(name: "AgentSchema", targets: ["AgentSchema"]),
        .library(name: "AgentLLM", targets: ["AgentLLM"]),
        .library(name: "AgentServer", targets: ["AgentServer"]),
        .library(name: "AgentTools", targets: ["AgentTools"]),
        .library(name: "CatalynxApp", targets: ["CatalynxApp"]),
    ],
    dependencies: [
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", from: "2.1.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.3"..<"4.0.0"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/modelcontextprotocol/swift-sdk.git", from: "0.12.1"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/weichsel/ZIPFoundation.git", from: "0.9.20"),
        .package(url: "https://github.com/apple/swift-distributed-tracing.git", from: "1.7.3"),
        // OTLP/HTTP only: the gRPC exporter's dependencies are not built.
        .package(url: "https://github.com/swift-otel/swift-otel.git", from: "1.6.0", traits: ["OTLPHTTP"]),
    ],
    targets: [
        // Pure core: values, tools, workflows, expressions, events, reducer, scheduler, engine, run drivers. No I/O.
        .target(name: "AgentCore", dependencies: [
            .product(name: "Yams", package: "Yams"), .product(name: "Metrics", package: "swift-metrics"),
            .product(name: "Logging", package: "swift-log"), .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "Tracing", package: "swift-distributed-tracing"),
        ]),
        // The BAML subset: language, types, Jinja expressions, schema-aligned parsing of LLM output. No dependencies.
        .target(name: "AgentSchema"),
        // LLM clients (openai, openai-generic, anthropic), retry/fallback/round-robin, usage and cost, BAML function calls.
        .target(name: "AgentLLM", dependencies: [
            "AgentSchema", .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "Metrics", package: "swift-metrics"), .product(name: "Tracing", package: "swift-distributed-tracing"),
        ]),
        // A PostgreSQL server by URL and versioned schemas on it: shared by the run store and the organization database.
        .target(name: "PostgresSupport", dependencies: [
            .product(name: "PostgresNIO", package: "postgres-nio"), .product(name: "Logging", package: "swift-log"),
        ]),
        // One SQLite file opened by several processes at once: lock waits and migrations. Shared by every SQLite store.
        .target(name: "SQLiteSupport", dependencies: [.product(name: "GRDB", package: "GRDB.swift")]),
        // Run stores: the protocol's implementations (SQLite embedded, PostgreSQL for teams).
        .target(name: "AgentStore", dependencies: [
            "AgentCore", "PostgresSupport", "SQLiteSupport", .product(name: "GRDB", package: "GRDB.swift"),
            .product(name: "PostgresNIO", package: "postgres-nio"),
        ]),
        // Nonprofit data: EINs, the organization database (SQLite or PostgreSQL), BMF / 990 XML (loose or in the
        // IRS's ZIP archives) / ProPublica ingest, downloads of the IRS's published files.
        .target(name: "Nonprofit", dependencies: [
            .product(name: "ZIPFoundation", package: "ZIPFoundation"), "SystemZlib",
            "PostgresSupport", "SQLiteSupport", .product(name: "PostgresNIO", package: "postgres-nio"),
            .product(name: "GRDB", package: "GRDB.swift"), .product(name: "GRDBSQLite", package: "GRDB.swift"),
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOHTTP1", package: "swift-nio"),
        ]),
        // zlib itself (the system's), for its CRC-32 of archive entries.
        .systemLibrary(name: "SystemZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        // Grant research: financial metrics, risk, peers, funders, reports; the tier workflows' tools.
        .target(name: "GrantResearch", dependencies: ["AgentCore", "AgentSchema", "AgentLLM", "Nonprofit", .product(name: "Mustache", package: "swift-mustache")],
                resources: [.copy("Reports/Templates")]),
        // The application: configuration read once, the composition, the workflow catalogue and tiers, and the
        // use cases every front end (CLI, HTTP API, dashboard, MCP) calls.
        .target(name: "CatalynxApp", dependencies: [
            "AgentCore", "AgentStore", "AgentTools", "Nonprofit", "GrantResearch", "PostgresSupport",
            .product(name: "Logging", package: "swift-log"), .product(name: "OTel", package: "swift-otel"),
            .product(name: "Tracing", package: "swift-distributed-tracing"),
        ]),
        // The HTTP server: REST API, web dashboard, API keys and sessions, health.
        .target(name: "AgentServer", dependencies: [
            "AgentCore", "CatalynxApp", "SQLiteSupport", .product(name: "Hummingbird", package: "hummingbird"), .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "GRDB", package: "GRDB.swift"), .product(name: "Mustache", package: "swift-mustache"),
            .product(name: "Metrics", package: "swift-metrics"), .product(name: "Prometheus", package: "swift-prometheus"),
            .product(name: "Logging", package: "swift-log"), .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "Yams", package: "Yams"), .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "NIOCore", package: "swift-nio"),
        ], resources: [.copy("Dashboard/Templates"), .copy("Dashboard/Assets")]),
        // Built-in generic tools that touch the outside world (sleep, files, HTTP).
        .target(name: "AgentTools", dependencies: [
            "AgentCore", .product(name: "AsyncHTTPClient", package: "async-http-client"),
        ]),
        .executableTarget(name: "catalynx", dependencies: [
            "AgentCore", "CatalynxApp", "AgentStore", "AgentTools", "AgentSchema", "AgentLLM", "AgentServer", "Nonprofit", "GrantResearch", "PostgresSupport",
            .product(name: "ArgumentParser", package: "swift-argument-parser"), .product(name: "Yams", package: "Yams"),
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "Metrics", package: "swift-metrics"), .product(name: "Prometheus", package: "swift-prometheus"),
            .product(name: "Logging", package: "swift-log"), .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "MCP", package: "swift-sdk"),
        ]),
        .testTarget(name: "AgentCoreTests", dependencies: ["AgentCore", "AgentStore", "TestSupport"]),
        // Shared by the test targets: a local HTTP server (ProPublica, LLM and IRS fakes), ZIP archives of returns.
        .target(name: "TestSupport", dependencies: [
            "AgentCore", .product(name: "NIOPosix", package: "swift-nio"), .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "AsyncHTTPClient", package: "async-http-client"), .product(name: "ZIPFoundation", package: "ZIPFoundation"),
        ], path: "Tests/Support"),
        .testTarget(name: "AgentSchemaTests", dependencies: ["AgentSchema"], exclude: ["Fixtures"]),
        .testTarget(name: "AgentServerTests", dependencies: [
            "AgentServer", "AgentCore", "CatalynxApp", "Nonprofit", "AgentStore", "AgentTools", "TestSupport", .product(name: "HummingbirdTesting", package: "hummingbird"),
            .product(name: "Metrics", package: "swift-metrics"), .product(name: "Prometheus", package: "swift-prometheus"),
        ]),
        .testTarget(name: "AgentLLMTests", dependencies: ["AgentLLM", "AgentSchema", "TestSupport"], exclude: ["Fixtures"]),
        .testTarget(name: "AgentStoreTests", dependencies: ["AgentCore", "AgentStore", "AgentTools", "TestSupport"]),
        .testTarget(name: "NonprofitTests", dependencies: ["Nonprofit", "TestSupport"]),
        .testTarget(name: "GrantResearchTests", dependencies: ["AgentCore", "GrantResearch", "Nonprofit"]),
        .testTarget(name: "CLITests", dependencies: ["AgentCore", "AgentStore", "AgentTools", "catalynx", "TestSupport"]),
        .testTarget(name: "CatalynxAppTests", dependencies: ["CatalynxApp", "AgentCore", "AgentStore", "Nonprofit", "GrantResearch", "TestSupport"]),
    ],
    swiftLanguageModes: [.v6]
)
