import AgentCore
import AgentServer
import GrantResearch
import ArgumentParser
import CatalynxApp
import Foundation
import Hummingbird
import Logging
import Metrics
import Nonprofit
import Prometheus
import ServiceLifecycle

/// `catalynx serve [--host] [--port] [--open-reads]`
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the web dashboard, the REST API (/api/v1) and /health.",
        discussion: """
            Every request to /api/v1 needs `Authorization: Bearer <key>` (create keys with `catalynx keys create`): \
            a read key for GET, a write key for everything else. Errors are application/problem+json. \
            Runs started over the API are driven by the server and recorded like any other. \
            The dashboard (http://HOST:PORT/) signs in with a key and keeps a session cookie.
            """)

    @Option(help: "The address to listen on.")
    var host = "127.0.0.1"

    @Option(help: "The port to listen on.")
    var port = 8080

    @Option(help: ArgumentHelp("Inbound and outbound webhooks (default $CATALYNX_HOME/webhooks.yaml when it exists).", valueName: "path"))
    var webhooks: String?

    @Option(help: """
        On PostgreSQL, the worker slots with which this server drives runs, leased like any worker's \
        (default 4; 0: it drives none, workers do). On SQLite the server drives the runs it starts.
        """)
    var workers: Int?

    @Flag(help: "Let GET requests through without a key.")
    var openReads = false

    @Flag(inversion: .prefixedNo, help: "Fire the schedules (`catalynx schedules`; with workers, whichever process sees a tick first starts its run).")
    var schedules = true

    @Flag(help: "Mark the dashboard's cookies Secure with the __Host- prefix (the server is reached over HTTPS; a proxy's X-Forwarded-Proto: https does the same per request).")
    var secureCookies = false

    @Option(help: "Seconds a connection may stay silent (no request, part of a header or body, an idle keep-alive) before it is closed.")
    var idleTimeout = 30

    @Option(help: "The most connections held at once; more are closed as they open.")
    var maxConnections = 1_000

    func validate() throws {
        if idleTimeout < 1 { throw ValidationError("--idle-timeout must be at least 1 second") }
        if maxConnections < 1 { throw ValidationError("--max-connections must be at least 1") }
    }

    enum LogFormat: String, ExpressibleByArgument { case json, text }

    @Option(help: "json (one object a line, with run ids) or text.")
    var logFormat = LogFormat.json

    func run() async throws {
        if logFormat == .json {
            LoggingSystem.bootstrap({ label, provider in JSONLogHandler(label: label, metadataProvider: provider) },
                                    metadataProvider: Telemetry.isConfigured(ProcessInfo.processInfo.environment) ? Telemetry.loggingMetadata : nil)
        }
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        let context = CLIContext()
        let app = context.app
        _ = try await context.openOrganizations()  // the embedded dataset, with its progress, before the first request
        var services = ServerServices(app: app, engine: try await app.engine(), keys: try context.openKeys(), openReads: openReads)
        services.metrics = registry
        services.secureCookies = secureCookies
        let hooks = try context.webhooks(path: webhooks)
        (services.webhooks, services.deliveries) = (hooks.configuration, hooks.deliveries)
        if let outbound = hooks.outbound { await services.background.notify(outbound.onStop) }
        services.healthChecks = ServerServices.applicationChecks(app)
        Console.error("catalynx serving on http://\(host):\(port) (reads \(openReads ? "open" : "need a key"); "
                      + "\(services.webhooks.inbound.count) inbound and \(services.webhooks.outbound.count) outbound webhooks)")
        // On a shared store every run is driven under a lease, so that the server's runs and the
        // workers' never run twice at once; the server's slots send the outbound webhooks.
        var background: (any Service)? = services.background
        if let worker = services.driver.worker(concurrency: workers ?? 4, onStop: hooks.outbound?.onStop,
                                               onError: Console.leaseFailure(role: "serve")) {
            services.drivesRuns = false
            background = workers == 0 ? nil : worker
        } else if let workers, workers > 0 {
            throw CLIExit.needsSharedStore("--workers shares")
        }
        // A scheduled run is driven like one started over the API: here on SQLite, by a worker slot on PostgreSQL.
        let ticker = schedules ? try await app.scheduleTicker(engine: services.engine) { [services] in services.drive($0) } : nil
        // Shut down in reverse order: the HTTP server stops taking requests, the ticker stops, then the runs in flight finish.
        let group = ServiceGroup(configuration: .init(
            services: (background.map { [ServiceGroupConfiguration.ServiceConfiguration(service: $0)] } ?? [])
                + (ticker.map { [ServiceGroupConfiguration.ServiceConfiguration(service: $0)] } ?? [])
                + [.init(service: try CatalynxServer.application(services, host: host, port: port,
                                                                limits: ConnectionLimits(idleTimeout: .seconds(idleTimeout), maximumConnections: maxConnections)))],
            gracefulShutdownSignals: [.sigterm, .sigint], logger: Logger(label: "catalynx")))
        try await group.run()
    }
}

/// `catalynx keys create|list|revoke`
struct KeysCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys",
        abstract: "Create, list and revoke API keys (stored only as hashes in $CATALYNX_HOME/keys.sqlite).",
        subcommands: [Create.self, List.self, Revoke.self])

    struct Create: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a key and print it once.")

        @Option(help: "What the key is for.")
        var name: String

        @Option(help: "read, write or admin.")
        var scope: APIKeyStore.Scope = .read

        func run() throws {
            let (key, token) = try CLIContext().openKeys().create(name: name, scope: scope)
            Console.error("created key \(key.id) (\(key.name), \(key.scope.rawValue)); it is shown only now:")
            Console.out(token)
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The keys, without their secrets.")

        func run() throws {
            var table = TextTable("ID", "NAME", "SCOPE", "CREATED", "REVOKED")
            let formatter = ISO8601DateFormatter()
            for key in try CLIContext().openKeys().list() {
                table.add(key.id, key.name, key.scope.rawValue, formatter.string(from: key.createdAt), key.revokedAt.map(formatter.string) ?? "")
            }
            Console.out(table.render())
        }
    }

    struct Revoke: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke a key: it stops working at once.")

        @Argument(help: "The key's id.")
        var id: String

        func run() throws {
            guard try CLIContext().openKeys().revoke(id: id) else { throw CLIExit(code: .notFound, message: "error: no active key \(id)") }
            Console.out("revoked \(id)")
        }
    }
}

extension APIKeyStore.Scope: ExpressibleByArgument {}
