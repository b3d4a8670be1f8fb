import AgentCore
import Foundation
import Hummingbird
import Prometheus
import ServiceLifecycle

/// What the server works with: the engine (its store and tools), the API keys, and how to find
/// a workflow by name.
public struct ServerServices: Sendable {
    public let engine: WorkflowEngine
    /// Drives runs in the background; run it as a service for recovery and graceful shutdown.
    public let driver: RunDriver
    public let keys: APIKeyStore
    /// Whether GET requests need no key.
    public let openReads: Bool
    let findWorkflow: @Sendable (String) throws -> WorkflowDefinition
    /// Organization look-up and search, when the server has an organization database.
    public var organizations: OrganizationEndpoints?
    /// Renders a finished run's report as `html`, `markdown` or `json`: (content type, body); nil when the run has none.
    public var report: (@Sendable (RunState, WorkflowDefinition, String) throws -> (contentType: String, body: String)?)?

    /// Where `/metrics` reads from (the registry the process bootstrapped swift-metrics with); nil: no `/metrics`.
    public var metrics: PrometheusCollectorRegistry?
    /// Extra checks `/health/tools` runs (schemas compile, LLM configured, organization database …).
    public var healthChecks: [String: @Sendable () async -> HealthCheck] = [:]

    /// Whether this server drives the runs it starts or answers; false when workers do (`serve --workers`).
    public var drivesRuns = true

    /// The inbound webhooks (`POST /api/v1/hooks/NAME`) and outbound targets.
    public var webhooks = WebhookConfiguration()
    /// Where outbound webhook attempts are recorded (`GET /api/v1/hooks/deliveries`).
    public var deliveries: DeliveryLog?

    /// What the dashboard offers: the analysis tiers of its "Start analysis" form and the workflows to filter runs by.
    public var dashboard = DashboardOptions()

    /// - Parameters:
    ///   - engine: runs are started and driven with it.
    ///   - keys: the API keys.
    ///   - openReads: let GET requests through without a key.
    ///   - workflow: the workflow a name (or file name) means; throws when there is none.
    public init(engine: WorkflowEngine, keys: APIKeyStore, openReads: Bool = false,
                workflow: @escaping @Sendable (String) throws -> WorkflowDefinition) {
        self.engine = engine
        driver = RunDriver(engine: engine)
        self.keys = keys
        self.openReads = openReads
        findWorkflow = workflow
    }

    func workflow(_ name: String) throws -> WorkflowDefinition { try findWorkflow(name) }

    /// The dashboard's choices.
    public struct DashboardOptions: Sendable {
        /// A choice of the "Start analysis" form: its label and the workflow it starts.
        public struct Tier: Sendable {
            public var label: String
            public var workflow: String
            public init(label: String, workflow: String) {
                self.label = label
                self.workflow = workflow
            }
        }

        public var tiers: [Tier]
        /// The workflow input the form's EIN goes to.
        public var einInput: String
        /// The workflows the runs page can filter by.
        public var workflows: [String]

        public init(tiers: [Tier] = [], einInput: String = "organization_ein", workflows: [String] = []) {
            self.tiers = tiers
            self.einInput = einInput
            self.workflows = workflows
        }
    }

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

    /// Starts a workflow by name with the given inputs and drives it in the background.
    /// Throws a `Problem`: 404 for an unknown workflow, 422 for inputs that do not fit it.
    func startRun(_ name: String, inputs given: [String: Value]) async throws -> (id: String, definition: WorkflowDefinition) {
        let definition: WorkflowDefinition
        do {
            definition = try workflow(name)
        } catch {
            throw Problem(.notFound, "Unknown workflow", "\(error)")
        }
        let inputs: [String: Value]
        do {
            inputs = try definition.bindInputs(given)
        } catch {
            throw Problem(.unprocessableContent, "Invalid inputs", error.problems.joined(separator: "; "))
        }
        let id = try await engine.start(definition, inputs: inputs)
        drive(id)
        return (id, definition)
    }

    /// The full id of the run a request's path names (an id or a unique prefix); a 400 or 404 `Problem` otherwise.
    func resolveRun(_ context: some RequestContext) async throws -> String {
        guard let id = context.parameters.get("id") else { throw Problem(.badRequest, "Missing run id", "the path names no run") }
        do {
            return try await engine.store.resolveRunID(id)
        } catch {
            throw Problem(.notFound, "No such run", "\(error)")
        }
    }

    /// Hands a run's events after sequence number `start` to `body` as they are recorded (looking
    /// every 200 ms), until the run's status satisfies `done` (the API's event stream: until it
    /// ends; the dashboard's: while it is live) or the server shuts down (an open stream must not
    /// hold the shutdown until the run ends; clients reconnect from the last event).
    func followEvents(of runID: String, after start: Int, until done: (RunStatus) -> Bool,
                      _ body: ([RunEvent]) async throws -> Void) async throws {
        let store = engine.store
        var after = start
        var status = RunStatus.pending
        if start > 0 {  // the status as of the events the client has seen
            for event in try await store.events(runID: runID, after: 0) where event.sequence <= start { status = status.after(event.kind) }
        }
        while !done(status), !Task.isShuttingDownGracefully {
            let events = try await store.events(runID: runID, after: after)
            if let last = events.last {
                try await body(events)
                after = last.sequence
                status = events.reduce(status) { $0.after($1.kind) }
            }
            if !done(status) { try await Task.sleep(for: .milliseconds(200)) }
        }
    }

    /// A finished run's report as `html`, `markdown` or `json`; a 404 `Problem` when the run has none.
    func renderReport(_ state: RunState, format: String) throws -> (contentType: String, body: String) {
        guard let render = report, let definition = try? engine.definition(of: state), let rendered = try render(state, definition, format) else {
            throw Problem(.notFound, "No report", "run \(state.runID) (\(state.workflowName), \(state.status.rawValue)) has no report")
        }
        return rendered
    }

    /// Answers a run's open request to a person and drives the run on.
    /// Throws a 409 `Problem` when the run waits for no answer.
    func answer(runID: String, step: String?, _ answer: ReviewAnswer) async throws -> RunState {
        do {
            let state = try await engine.respond(runID: runID, step: step, response: answer.value, respondent: answer.reviewer)
            drive(runID)
            return state
        } catch let error as EngineError {
            throw Problem(.conflict, "Nothing to answer", error.description)
        }
    }

    /// Drives a run to its end (or its next wait) in the background; the run's events say how it went.
    func drive(_ runID: String) {
        guard drivesRuns else { return }
        let driver = self.driver
        Task { await driver.drive(runID) }
    }
}

/// The Catalynx HTTP server: `/health` (open), `/api/v1` (API keys) and the web dashboard (session cookies).
public enum CatalynxServer {
    /// The router with every route.
    public static func router(_ services: ServerServices) throws -> Router<BasicRequestContext> {
        let router = Router()
        router.add(middleware: HTTPMetricsMiddleware())
        router.add(middleware: ProblemMiddleware())
        Dashboard(services: services, pages: try Pages()).register(on: router)
        router.get("health") { _, _ in await Health.summary(services) }
        router.get("health/tools") { _, _ in await Health.tools(services) }
        if let registry = services.metrics { router.get("metrics") { _, _ in MetricsEndpoint.response(registry) } }
        InboundHooks(services: services).register(on: router)
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
        api.get("hooks/deliveries") { _, _ in
            JSONResponse.make(.array(try (services.deliveries?.recent() ?? []).map { attempt in
                ["delivery": .string(attempt.delivery), "url": .string(attempt.url), "event": .string(attempt.event), "run_id": .string(attempt.runID),
                 "attempt": .int(attempt.attempt), "status_code": attempt.statusCode.map(Value.int) ?? .null,
                 "error": attempt.error.map(Value.string) ?? .null, "delivered": .bool(attempt.delivered), "at": .double(attempt.at.timeIntervalSince1970)]
            }))
        }
        router.get("openapi.json") { _, _ in JSONResponse.make(OpenAPIDocument.value) }
        return router
    }

    /// The application on `host:port`.
    public static func application(_ services: ServerServices, host: String = "127.0.0.1", port: Int = 8080) throws -> some ApplicationProtocol {
        Application(router: try router(services), configuration: .init(address: .hostname(host, port: port), serverName: "catalynx"))
    }
}
