import AgentCore
import CatalynxApp
import Foundation
import Hummingbird
import NIOCore
import Nonprofit
import Prometheus
import ServiceLifecycle

/// What the server works with: the application (its use cases, catalogue and tools), the engine
/// runs are driven with, the API keys, and the workflows it may start (loaded once, at start).
public struct ServerServices: Sendable {
    public let app: CatalynxApplication
    public let engine: WorkflowEngine
    /// How the server drives runs: `driver.background` as a service on a store of its own, workers on a shared one.
    public let driver: RunDriver
    /// Drives the runs the server starts or answers in the background; run it as a service for
    /// recovery and graceful shutdown (not when workers drive them: see `drivesRuns`).
    public let background: RunDriver.Background
    public let keys: APIKeyStore
    /// Whether GET requests need no key.
    public let openReads: Bool
    /// The workflows this server may start: by name or file name, never by a path from a request.
    public let workflows: WorkflowCatalog.Snapshot

    /// Where `/metrics` reads from (the registry the process bootstrapped swift-metrics with); nil: no `/metrics`.
    public var metrics: PrometheusCollectorRegistry?
    /// Extra checks `/health/tools` runs (schemas compile, LLM configured, organization database …).
    public var healthChecks: [String: @Sendable () async -> HealthCheck] = [:]

    /// Whether the dashboard's cookies are always `Secure` with the `__Host-` prefix (the server is
    /// reached over HTTPS); they are also when a proxy says `X-Forwarded-Proto: https`.
    public var secureCookies = false

    /// Whether this server drives the runs it starts or answers; false when workers do (`serve --workers`).
    public var drivesRuns = true

    /// The inbound webhooks (`POST /api/v1/hooks/NAME`) and outbound targets.
    public var webhooks = WebhookConfiguration()
    /// Where outbound webhook attempts are recorded (`GET /api/v1/hooks/deliveries`).
    public var deliveries: DeliveryLog?

    /// - Parameters:
    ///   - app: the application whose use cases the routes call.
    ///   - engine: runs are started and driven with it (the application's, or one tuned for tests).
    ///   - keys: the API keys.
    ///   - openReads: let GET requests through without a key.
    public init(app: CatalynxApplication, engine: WorkflowEngine, keys: APIKeyStore, openReads: Bool = false) {
        self.app = app
        self.engine = engine
        driver = RunDriver(engine: engine, role: "serve")
        background = driver.background()
        self.keys = keys
        self.openReads = openReads
        workflows = app.catalog.snapshot()
        deliveries = try? DeliveryLog()  // in memory until the server names its file
    }

    /// The analysis tiers whose workflows this server has (the dashboard's "Start analysis" choices).
    var tiers: [AnalysisTier] { AnalysisTier.allCases.filter { workflows.byName[$0.workflowFile] != nil } }

    func workflow(_ name: String) throws -> WorkflowDefinition { try workflows.definition(name) }

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

    /// A run's report as `html`, `markdown` or `json` (a draft while the run waits for a review); a 404 `Problem` when it has none.
    /// - Parameter funderPages: the dashboard's funder pages, to link each funder to (its report only).
    func renderReport(_ state: RunState, format: ReportFormat, funderPages: String? = nil) throws -> RenderedReport {
        guard let definition = try? engine.definition(of: state), let analysis = app.analysis(of: state, definition: definition),
              let rendered = try app.report(of: analysis, format: format, funderPages: funderPages) else {
            throw Problem(.notFound, "No report", "run \(state.runID) (\(state.workflowName), \(state.status.rawValue)) has no report")
        }
        return rendered
    }

    /// Whether a run has a report to link to.
    func hasReport(_ state: RunState) -> Bool {
        guard let definition = try? engine.definition(of: state) else { return false }
        return app.hasReport(state, definition: definition)
    }

    /// Answers a run's open request to a person and drives the run on.
    /// Throws a 409 `Problem` when the run waits for no answer.
    /// - Parameter edits: changes to the inputs of the agent's call awaiting approval.
    func answer(runID: String, step: String?, _ answer: ReviewAnswer, edits: [String: Value] = [:]) async throws -> RunState {
        var answer = answer
        if !edits.isEmpty {
            let open = try await engine.store.state(of: runID).openRequests.filter { step == nil || $0.step == step }
            guard open.count == 1, case .object(let proposed)? = open.first?.request.request["inputs"] else {
                throw Problem(.unprocessableContent, "Nothing to edit", "\"inputs\" changes the call of an agent awaiting approval, and run \(runID) has "
                              + (open.count > 1 ? "several questions open; name one with \"step\"" : "no such call waiting"))
            }
            answer.inputs = proposed.merging(edits) { _, new in new }
        }
        do {
            let state = try await engine.respond(runID: runID, step: step, response: answer.value, respondent: answer.reviewer)
            drive(runID)
            return state
        } catch let error as EngineError {
            throw Problem(.conflict, "Nothing to answer", error.description)
        }
    }

    /// Forks a run from one of its steps with some inputs changed and drives the new run in the background.
    /// Throws a `Problem`: 422 for a step that never began or inputs the workflow does not take, 409
    /// when the run's workflow no longer validates.
    func fork(runID: String, from step: String, inputs changed: [String: Value]) async throws -> String {
        let forkID: String
        do {
            forkID = try await engine.fork(runID: runID, from: step, inputs: changed)
        } catch let error as EngineError {
            throw Problem(.unprocessableContent, "Unknown step", error.description)
        } catch let error as InputBindingError {
            throw Problem(.unprocessableContent, "Invalid inputs", error.problems.joined(separator: "; "))
        } catch let error as WorkflowValidationError {
            throw Problem(.conflict, "Workflow no longer validates", "run \(runID) cannot be forked here: \(error)")
        }
        drive(forkID)
        return forkID
    }

    /// Drives a run to its end (or its next wait) in the background; the run's events say how it went.
    public func drive(_ runID: String) {
        guard drivesRuns else { return }
        let background = self.background
        Task { await background.drive(runID) }
    }
}

/// The Catalynx HTTP server: `/health` (open), `/api/v1` (API keys) and the web dashboard (session cookies).
public enum CatalynxServer {
    /// Every route, with HEAD answered as GET.
    public static func router(_ services: ServerServices) throws -> HeadAsGet<Router<BasicRequestContext>> {
        HeadAsGet(routes: try routes(services))
    }

    /// The router with every route.
    static func routes(_ services: ServerServices) throws -> Router<BasicRequestContext> {
        let router = Router()
        router.add(middleware: AccessLogMiddleware())
        router.add(middleware: HTTPMetricsMiddleware())
        router.add(middleware: ProblemMiddleware())
        router.add(middleware: MethodMiddleware())
        Dashboard(services: services, pages: try Pages()).register(on: router)
        router.get("health") { _, _ in await Health.summary(services) }
        router.get("health/tools") { _, _ in await Health.tools(services) }
        if let registry = services.metrics { router.get("metrics") { _, _ in MetricsEndpoint.response(registry) } }
        InboundHooks(services: services).register(on: router)
        let api = router.group("api/v1").add(middleware: APIKeyMiddleware(keys: services.keys, openReads: services.openReads))
        RunsAPI(services: services).register(on: api)
        api.get("organizations/:ein") { _, context in
            JSONResponse.make(try await services.app.organization(context.parameters.get("ein") ?? "").json)
        }
        api.get("funders/:ein") { _, context in
            JSONResponse.make(try Value(encoding: try await services.app.funder(context.parameters.get("ein") ?? "")))
        }
        api.get("organizations") { request, _ in
            let query = request.uri.queryParameters
            guard let words = query["q"].map(String.init), !words.isEmpty else { throw Problem(.badRequest, "Missing query", "give ?q=words to search for") }
            let state = query["state"].map(String.init)
            if let state, state.count != 2 || !state.allSatisfy({ $0.isASCII && $0.isLetter }) {
                throw Problem(.badRequest, "Invalid state", "state must be a two-letter code such as VA")
            }
            let search = OrganizationSearch(text: words, state: state, limit: try QueryValue.integer(query["limit"], "limit", in: 1...200) ?? 20)
            return JSONResponse.make(try Value(encoding: try await services.app.searchOrganizations(search)))
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

    /// The application on `host:port`, with its connection limits.
    public static func application(_ services: ServerServices, host: String = "127.0.0.1", port: Int = 8080,
                                   limits: ConnectionLimits = ConnectionLimits()) throws -> some ApplicationProtocol {
        let count = ConnectionLimiter.Count()
        let seconds = limits.idleTimeout.components
        let idle = TimeAmount.nanoseconds(seconds.seconds * 1_000_000_000 + seconds.attoseconds / 1_000_000_000)
        return Application(router: try router(services),
                           server: .http1(configuration: .init(additionalChannelHandlers: [ConnectionLimiter(count: count, maximum: limits.maximumConnections)],
                                                               idleTimeout: idle)),
                           configuration: .init(address: .hostname(host, port: port), serverName: "catalynx"))
    }
}
