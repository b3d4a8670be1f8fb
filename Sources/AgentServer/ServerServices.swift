import AgentCore
import Foundation
import Hummingbird

/// What the server works with: the engine (its store and tools), the API keys, and how to find
/// a workflow by name.
public struct ServerServices: Sendable {
    public let engine: WorkflowEngine
    public let keys: APIKeyStore
    /// Whether GET requests need no key.
    public let openReads: Bool
    let findWorkflow: @Sendable (String) throws -> WorkflowDefinition
    /// Organization look-up and search, when the server has an organization database.
    public var organizations: OrganizationEndpoints?
    /// Renders a finished run's report as `html`, `markdown` or `json`: (content type, body); nil when the run has none.
    public var report: (@Sendable (RunState, WorkflowDefinition, String) throws -> (contentType: String, body: String)?)?

    /// - Parameters:
    ///   - engine: runs are started and driven with it.
    ///   - keys: the API keys.
    ///   - openReads: let GET requests through without a key.
    ///   - workflow: the workflow a name (or file name) means; throws when there is none.
    public init(engine: WorkflowEngine, keys: APIKeyStore, openReads: Bool = false,
                workflow: @escaping @Sendable (String) throws -> WorkflowDefinition) {
        self.engine = engine
        self.keys = keys
        self.openReads = openReads
        findWorkflow = workflow
    }

    func workflow(_ name: String) throws -> WorkflowDefinition { try findWorkflow(name) }

    /// What `/api/v1/organizations` serves, supplied by the caller (the server knows no nonprofit data itself).
    public struct OrganizationEndpoints: Sendable {
        /// An EIN → everything on record (nil: unknown; throw a `Problem` for an invalid EIN).
        public var lookup: @Sendable (String) async throws -> Value?
        /// (words, state, limit) → matching organizations.
        public var search: @Sendable (String, String?, Int) async throws -> Value

        public init(lookup: @escaping @Sendable (String) async throws -> Value?, search: @escaping @Sendable (String, String?, Int) async throws -> Value) {
            self.lookup = lookup
            self.search = search
        }
    }

    /// Drives a run to its end (or its next wait) in the background; the run's events say how it went.
    func drive(_ runID: String) {
        let engine = self.engine
        Task.detached { _ = try? await engine.drive(runID: runID) }
    }
}

/// The Catalynx HTTP server: `/health` (open) and `/api/v1` (API keys).
public enum CatalynxServer {
    /// The router with every route.
    public static func router(_ services: ServerServices) -> Router<BasicRequestContext> {
        let router = Router()
        router.add(middleware: ProblemMiddleware())
        router.get("health") { _, _ in try await health(services) }
        let api = router.group("api/v1").add(middleware: APIKeyMiddleware(keys: services.keys, openReads: services.openReads))
        RunsAPI(services: services).register(on: api)
        api.get("organizations/:ein") { _, context in
            guard let endpoints = services.organizations else { throw Problem(.notFound, "No organization data", "this server has no organization database") }
            let ein = context.parameters.get("ein") ?? ""
            guard let record = try await endpoints.lookup(ein) else { throw Problem(.notFound, "Unknown organization", "no organization with EIN \(ein) in the database") }
            return JSONResponse.make(record)
        }
        api.get("organizations") { request, _ in
            guard let endpoints = services.organizations else { throw Problem(.notFound, "No organization data", "this server has no organization database") }
            let query = request.uri.queryParameters
            guard let words = query["q"].map(String.init), !words.isEmpty else { throw Problem(.badRequest, "Missing query", "give ?q=words to search for") }
            return JSONResponse.make(try await endpoints.search(words, query["state"].map(String.init), query["limit"].flatMap { Int(String($0)) } ?? 20))
        }
        router.get("openapi.json") { _, _ in JSONResponse.make(OpenAPIDocument.value) }
        return router
    }

    /// The application on `host:port`.
    public static func application(_ services: ServerServices, host: String = "127.0.0.1", port: Int = 8080) -> some ApplicationProtocol {
        Application(router: router(services), configuration: .init(address: .hostname(host, port: port), serverName: "catalynx"))
    }

    /// `/health`: a real round trip to the run store (with its latency) and the tools registered; 503 when the store fails.
    static func health(_ services: ServerServices) async throws -> Response {
        let clock = ContinuousClock()
        let start = clock.now
        do {
            _ = try await services.engine.store.runs(RunQuery(limit: 1))
            let elapsed = clock.now - start
            let milliseconds = Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
            return JSONResponse.make(["status": "ok", "database": ["ok": true, "latency_ms": .double((milliseconds * 100).rounded() / 100)],
                                      "tools": .int(services.engine.registry.names.count)])
        } catch {
            return JSONResponse.make(["status": "unavailable", "database": ["ok": false, "error": .string("\(error)")]], status: .serviceUnavailable)
        }
    }
}
