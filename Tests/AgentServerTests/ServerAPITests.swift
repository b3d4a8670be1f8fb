import AgentCore
import AgentStore
import AgentTools
import Foundation
import Hummingbird
import HummingbirdTesting
import Metrics
import Nonprofit
import Prometheus
import Testing
import TestSupport
import CatalynxApp
@testable import AgentServer

/// The REST API through Hummingbird's router tester: authentication, runs, approvals.
@Suite("Server API")
struct ServerAPITests {
    static let hello = """
        workflow: hello
        inputs:
          - { name: greeting, type: string, default: "hi" }
        steps:
          - name: say
            tool: echo
            inputs: { value: "{{ greeting }}, world" }
        """
    static let agent = """
        workflow: agent
        steps:
          - name: write
            inputs: { topic: "a letter" }
            agent: { function: NextStep, tools: [echo], policy: { echo: approve } }
        """
    static let gated = """
        workflow: gated
        steps:
          - name: send
            tool: echo
            requires_approval: true
            inputs: { value: "sent" }
        """

    struct Setup {
        let services: ServerServices
        let read: String
        let write: String
        let revoked: String
    }

    /// A stand-in for an analysis tier: takes the organization's EIN like the real tiers do.
    static let tier = """
        workflow: current_tier_analysis
        inputs:
          - { name: organization_ein, type: string, required: true }
        steps:
          - name: say
            tool: echo
            inputs: { value: "analysis of {{ organization_ein }}" }
        """

    /// The application in process: a scratch home, the given store, and the test workflows only.
    static func application(store: any RunStore) -> CatalynxApplication {
        let home = NSTemporaryDirectory() + "catalynx-server-\(UUID().uuidString)"
        let configuration = Configuration(environment: ["CATALYNX_HOME": home, "CATALYNX_WORKFLOWS_DIR": home + "/workflows"],
                                          executable: home + "/bin/catalynx", currentDirectory: home)
        return CatalynxApplication(configuration: configuration, store: store,
                                   workflows: ["hello": hello, "gated": gated, "agent": agent, "current_tier": tier])
    }

    func setup(store: any RunStore = MemoryRunStore(), agentModel: (any AgentModel)? = nil) throws -> Setup {
        let app = Self.application(store: store)
        var engine = WorkflowEngine(store: store, registry: app.registry, agentModel: agentModel)
        engine.pollInterval = .milliseconds(10)
        let keys = try APIKeyStore()
        let read = try keys.create(name: "reader", scope: .read).token
        let write = try keys.create(name: "writer", scope: .write).token
        let (old, revoked) = try keys.create(name: "old", scope: .admin)
        try keys.revoke(id: old.id)
        return Setup(services: ServerServices(app: app, engine: engine, keys: keys), read: read, write: write, revoked: revoked)
    }

    struct CLIError: Error, CustomStringConvertible { var message: String; var description: String { message } }

    func json(_ response: TestResponse) -> Value? { try? Value(json: String(buffer: response.body)) }

    func bearer(_ token: String) -> HTTPFields { [.authorization: "Bearer \(token)", .contentType: "application/json"] }

    func waitFor(_ status: String, run id: String, _ client: some TestClientProtocol, token: String) async throws -> Value? {
        for _ in 0..<200 {
            let state = try await client.execute(uri: "/api/v1/runs/\(id)", method: .get, headers: bearer(token)) { json($0) }
            if state?["status"]?.stringValue == status { return state }
            try await Task.sleep(for: .milliseconds(10))
        }
        return nil
    }

    /// The OpenAPI document declares every path parameter, the required query and body fields, and
    /// the 404 of each run route; undocumented methods on documented paths answer 405.
    @Test func theOpenAPIDocumentDeclaresItsParameters() async throws {
        let setup = try self.setup()
        try await Application(router: try CatalynxServer.router(setup.services)).test(.router) { client in
            let document = try #require(try await client.execute(uri: "/openapi.json", method: .get) { self.json($0) })
            let paths = try #require(document["paths"])
            for (path, parameter) in [("/api/v1/runs/{id}", "id"), ("/api/v1/runs/{id}/report", "id"), ("/api/v1/organizations/{ein}", "ein"),
                                      ("/api/v1/hooks/{name}", "name")] {
                let operation = paths[path]?["get"] ?? paths[path]?["post"]
                let declared = (operation?["parameters"]?.arrayValue ?? []).contains { $0["name"]?.stringValue == parameter && $0["in"] == "path" }
                #expect(declared, "\(path) does not declare {\(parameter)}")
            }
            for route in ["/api/v1/runs/{id}", "/api/v1/runs/{id}/events", "/api/v1/runs/{id}/report"] {
                #expect(paths[route]?["get"]?["responses"]?["404"] != nil, "\(route) has no 404")
            }
            let q = paths["/api/v1/organizations"]?["get"]?["parameters"]?.arrayValue?.first { $0["name"] == "q" }
            #expect(q?["required"] == true)
            #expect(paths["/api/v1/runs"]?["post"]?["requestBody"]?["content"]?["application/json"]?["schema"]?["required"] == ["workflow"])
            let post = try await client.execute(uri: "/health", method: .post)
            #expect(post.status == .methodNotAllowed && post.headers[.allow] == "GET, HEAD")
        }
    }

    /// HEAD works wherever GET does, TRACE is refused with 405, and the bearer scheme is case-insensitive.
    @Test func headTraceAndTheBearerScheme() async throws {
        let setup = try self.setup()
        try await Application(router: try CatalynxServer.router(setup.services)).test(.router) { client in
            let head = try await client.execute(uri: "/health", method: .head)
            #expect(head.status == .ok && head.body.readableBytes == 0)
            let headAPI = try await client.execute(uri: "/api/v1/runs", method: .head, headers: [.authorization: "Bearer \(setup.read)"])
            #expect(headAPI.status == .ok)
            let trace = try await client.execute(uri: "/health", method: .trace)
            #expect(trace.status == .methodNotAllowed && trace.headers[.allow] == "GET, HEAD")
            for scheme in ["bearer", "BEARER", "Bearer"] {
                #expect(try await client.execute(uri: "/api/v1/runs", method: .get, headers: [.authorization: "\(scheme) \(setup.read)"]).status == .ok)
            }
            #expect(try await client.execute(uri: "/api/v1/runs", method: .get, headers: [.authorization: "Basic \(setup.read)"]).status == .unauthorized)
        }
    }

    /// On a store shared with workers the run list says who drives each run now; elsewhere it has no such field.
    @Test func onPostgreSQLTheRunListSaysWhichWorkerDrivesEachRun() async throws {
        let store = try await RunStoreLocation.postgres(url: try await TestPostgres.freshDatabase()).open()
        let leasing = try #require(store.leasing)
        let setup = try self.setup(store: store)
        var services = setup.services
        services.drivesRuns = false  // the runs stay for "workers" to claim
        try await Application(router: try CatalynxServer.router(services)).test(.router) { client in
            var ids: [String] = []
            for _ in 0..<2 {
                let started = try await client.execute(uri: "/api/v1/runs", method: .post, headers: bearer(setup.write),
                                                       body: ByteBuffer(string: #"{"workflow": "hello"}"#)) { json($0) }
                ids.append(try #require(started?["run_id"]?.stringValue))
            }
            #expect(try await leasing.claimRun(ids[0], owner: "host-a:41:worker", lease: .seconds(60)))
            let listed = try await client.execute(uri: "/api/v1/runs", method: .get, headers: bearer(setup.read)) { json($0) }
            let byID = Dictionary(uniqueKeysWithValues: (listed?.arrayValue ?? []).map { ($0["id"]?.stringValue ?? "", $0) })
            #expect(byID[ids[0]]?["driven_by"] == "host-a:41:worker")
            #expect(byID[ids[1]] != nil && byID[ids[1]]?["driven_by"] == nil)
        }
        let local = try self.setup()
        try await Application(router: try CatalynxServer.router(local.services)).test(.router) { client in
            _ = try await client.execute(uri: "/api/v1/runs", method: .post, headers: bearer(local.write), body: ByteBuffer(string: #"{"workflow": "hello"}"#)) { _ in }
            let listed = try await client.execute(uri: "/api/v1/runs", method: .get, headers: bearer(local.read)) { json($0) }
            #expect(listed?.arrayValue?.count == 1 && listed?.arrayValue?.first?["driven_by"] == nil)
        }
    }

    @Test func everyAuthenticationFailureAnswers401Or403AndChangesNothing() async throws {
        let setup = try setup()
        let app = Application(router: try CatalynxServer.router(setup.services))
        try await app.test(.router) { client in
            let start = ByteBuffer(string: #"{"workflow": "hello"}"#)
            try await client.execute(uri: "/health", method: .get) { response in
                #expect(response.status == .ok)
                #expect(json(response)?["database"]?["ok"] == true)
            }
            for (headers, status, title) in [([:] as HTTPFields, HTTPResponse.Status.unauthorized, "API key required"),
                                              (bearer("cx_nope_nope"), .unauthorized, "Invalid API key"),
                                              (bearer(setup.revoked), .unauthorized, "Invalid API key"),
                                              (bearer(setup.read), .forbidden, "Insufficient scope")] {
                try await client.execute(uri: "/api/v1/runs", method: .post, headers: headers, body: start) { response in
                    #expect(response.status == status)
                    #expect(response.headers[.contentType] == "application/problem+json")
                    #expect(json(response)?["title"]?.stringValue == title)
                }
            }
            try await client.execute(uri: "/api/v1/runs", method: .get) { #expect($0.status == .unauthorized) }
            try await client.execute(uri: "/api/v1/runs", method: .get, headers: bearer(setup.read)) { response in
                #expect(response.status == .ok)
                #expect(json(response)?.arrayValue?.isEmpty == true)   // nothing was started by the refused requests
            }
        }
    }

    @Test func aRunStartedOverTheAPICompletesAndItsEventsAreServed() async throws {
        let setup = try setup()
        let app = Application(router: try CatalynxServer.router(setup.services))
        try await app.test(.router) { client in
            let id = try await client.execute(uri: "/api/v1/runs", method: .post, headers: bearer(setup.write),
                                              body: ByteBuffer(string: #"{"workflow": "hello", "inputs": {"greeting": "Hello"}}"#)) { response in
                #expect(response.status == .accepted)
                return json(response)?["run_id"]?.stringValue
            }
            let runID = try #require(id)
            let done = try await waitFor("completed", run: runID, client, token: setup.read)
            #expect(done?["steps"]?["say"]?["output"]?["value"] == "Hello, world")
            try await client.execute(uri: "/api/v1/runs/\(runID)/events", method: .get, headers: bearer(setup.read)) { response in
                let types = json(response)?.arrayValue?.compactMap { $0["type"]?.stringValue }
                #expect(types?.first == "RunStarted" && types?.last == "RunCompleted")
            }
            // Followed live as Server-Sent Events: the stream ends with the run.
            try await client.execute(uri: "/api/v1/runs/\(runID)/events?follow=true", method: .get, headers: bearer(setup.read)) { response in
                let stream = String(buffer: response.body)
                #expect(response.headers[.contentType] == "text/event-stream")
                #expect(stream.hasPrefix("id: 1\nevent: RunStarted\ndata: {"))
                let messages = stream.components(separatedBy: "\n\n").filter { !$0.isEmpty }
                #expect(messages.contains { $0.contains("event: StepSucceeded") })
                #expect(messages.last?.contains("event: RunCompleted") == true)   // the stream ends with the run
            }
            try await client.execute(uri: "/api/v1/runs", method: .post, headers: bearer(setup.write),
                                     body: ByteBuffer(string: #"{"workflow": "hello", "inputs": {"greeting": 3}}"#)) { response in
                #expect(response.status == .unprocessableContent && json(response)?["detail"]?.stringValue?.contains("greeting") == true)
            }
            try await client.execute(uri: "/api/v1/runs", method: .post, headers: bearer(setup.write), body: ByteBuffer(string: "{not json")) {
                #expect($0.status == .badRequest)
            }
            try await client.execute(uri: "/api/v1/runs/nope", method: .get, headers: bearer(setup.read)) { #expect($0.status == .notFound) }
        }
    }

    @Test func aRunIsForkedOverTheAPIWithAnInputChanged() async throws {
        let setup = try setup()
        let app = Application(router: try CatalynxServer.router(setup.services))
        try await app.test(.router) { client in
            let id = try await client.execute(uri: "/api/v1/runs", method: .post, headers: bearer(setup.write),
                                              body: ByteBuffer(string: #"{"workflow": "hello"}"#)) { json($0)?["run_id"]?.stringValue }
            let runID = try #require(id)
            _ = try await waitFor("completed", run: runID, client, token: setup.read)
            let forked = try await client.execute(uri: "/api/v1/runs/\(runID)/fork", method: .post, headers: bearer(setup.write),
                                                  body: ByteBuffer(string: #"{"from": "say", "inputs": {"greeting": "Bonjour"}}"#)) { response in
                #expect(response.status == .accepted)
                return json(response)
            }
            let forkID = try #require(forked?["run_id"]?.stringValue)
            #expect(forked?["forked_from"] == ["run_id": .string(runID), "step": "say"])
            let done = try await waitFor("completed", run: forkID, client, token: setup.read)
            #expect(done?["steps"]?["say"]?["output"]?["value"] == "Bonjour, world")
            #expect(done?["forked_from"] == ["run_id": .string(runID), "step": "say"])
            // Forking needs a write key, a step that began, and inputs the workflow takes.
            try await client.execute(uri: "/api/v1/runs/\(runID)/fork", method: .post, headers: bearer(setup.read),
                                     body: ByteBuffer(string: #"{"from": "say"}"#)) { #expect($0.status == .forbidden) }
            try await client.execute(uri: "/api/v1/runs/\(runID)/fork", method: .post, headers: bearer(setup.write),
                                     body: ByteBuffer(string: #"{"from": "nowhere"}"#)) { response in
                #expect(response.status == .unprocessableContent)
                #expect(json(response)?["detail"]?.stringValue?.contains("step 'nowhere' never began") == true)
            }
            try await client.execute(uri: "/api/v1/runs/\(runID)/fork", method: .post, headers: bearer(setup.write),
                                     body: ByteBuffer(string: #"{"from": "say", "inputs": {"nonsense": 1}}"#)) { #expect($0.status == .unprocessableContent) }
            try await client.execute(uri: "/api/v1/runs/\(runID)/fork", method: .post, headers: bearer(setup.write),
                                     body: ByteBuffer(string: #"{"inputs": {}}"#)) { #expect($0.status == .badRequest) }
        }
    }

    @Test func anApprovalIsListedAndAnsweredOverTheAPI() async throws {
        let setup = try setup()
        let app = Application(router: try CatalynxServer.router(setup.services))
        try await app.test(.router) { client in
            let id = try await client.execute(uri: "/api/v1/runs", method: .post, headers: bearer(setup.write),
                                              body: ByteBuffer(string: #"{"workflow": "gated"}"#)) { json($0)?["run_id"]?.stringValue }
            let runID = try #require(id)
            let waiting = try await waitFor("waiting", run: runID, client, token: setup.read)
            #expect(waiting?["waiting_for"]?.arrayValue?.first?["step"] == "send")
            try await client.execute(uri: "/api/v1/approvals", method: .get, headers: bearer(setup.read)) { response in
                #expect(json(response)?.arrayValue?.contains { $0["run_id"]?.stringValue == runID } == true)
            }
            try await client.execute(uri: "/api/v1/runs/\(runID)/approval", method: .post, headers: bearer(setup.read),
                                     body: ByteBuffer(string: #"{"decision": "approve"}"#)) { #expect($0.status == .forbidden) }
            try await client.execute(uri: "/api/v1/runs/\(runID)/approval", method: .post, headers: bearer(setup.write),
                                     body: ByteBuffer(string: #"{"decision": "approve", "reviewer": "ann"}"#)) { #expect($0.status == .accepted) }
            let done = try await waitFor("completed", run: runID, client, token: setup.read)
            #expect(done?["steps"]?["send"]?["output"]?["value"] == "sent")
            try await client.execute(uri: "/api/v1/runs/\(runID)/approval", method: .post, headers: bearer(setup.write),
                                     body: ByteBuffer(string: #"{"decision": "approve"}"#)) { #expect($0.status == .conflict) }
        }
    }
}

extension ServerAPITests {
    /// An agent's call awaiting approval is shown with its inputs and approved with one of them changed.
    @Test func anAgentsCallIsApprovedOverTheAPIWithAnInputChanged() async throws {
        let model = ScriptedAgentModel([.call("echo", ["value": "draft"]), .call("done", ["answer": "sent"])])
        let setup = try setup(agentModel: model)
        let app = Application(router: try CatalynxServer.router(setup.services))
        try await app.test(.router) { client in
            let id = try await client.execute(uri: "/api/v1/runs", method: .post, headers: bearer(setup.write),
                                              body: ByteBuffer(string: #"{"workflow": "agent"}"#)) { json($0)?["run_id"]?.stringValue }
            let runID = try #require(id)
            _ = try await waitFor("waiting", run: runID, client, token: setup.read)
            try await client.execute(uri: "/api/v1/approvals", method: .get, headers: bearer(setup.read)) { response in
                let request = json(response)?.arrayValue?.first { $0["run_id"]?.stringValue == runID }?["request"]
                #expect(request?["tool"] == "echo" && request?["inputs"] == ["value": "draft"], "\(String(buffer: response.body))")
            }
            try await client.execute(uri: "/api/v1/runs/\(runID)/approval", method: .post, headers: bearer(setup.write),
                                     body: ByteBuffer(string: #"{"decision": "approve", "inputs": "final"}"#)) { #expect($0.status == .badRequest) }
            try await client.execute(uri: "/api/v1/runs/\(runID)/approval", method: .post, headers: bearer(setup.write),
                                     body: ByteBuffer(string: #"{"decision": "approve", "inputs": {"value": "final"}}"#)) { #expect($0.status == .accepted) }
            let done = try await waitFor("completed", run: runID, client, token: setup.read)
            #expect(done?["steps"]?["write"]?["output"]?["answer"] == "sent")
            #expect(model.prompts.last?.contains("<echo_result>\nvalue: final\n</echo_result>") == true)
        }
    }
}

/// `/metrics` and `/health/tools`.
@Suite("Server observability", .serialized)
struct ObservabilityTests {
    /// The process's metrics registry (swift-metrics can be bootstrapped once a process).
    static let registry: PrometheusCollectorRegistry = {
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        return registry
    }()

    @Test func metricsCountToolExecutionsWorkflowsAndRequests() async throws {
        let setup = try ServerAPITests().setup()
        var services = setup.services
        services.metrics = Self.registry
        let app = Application(router: try CatalynxServer.router(services))
        try await app.test(.router) { client in
            let started = try await client.execute(uri: "/api/v1/runs", method: .post, headers: ServerAPITests().bearer(setup.write),
                                                   body: ByteBuffer(string: #"{"workflow": "hello"}"#))
            let id = try #require(ServerAPITests().json(started)?["run_id"]?.stringValue)
            _ = try await ServerAPITests().waitFor("completed", run: id, client, token: setup.write)
            let text = try await client.execute(uri: "/metrics", method: .get) { String(buffer: $0.body) }
            #expect(text.contains(#"catalynx_tool_executions_total{tool_name="echo",status="success"}"#))
            #expect(text.contains(#"catalynx_workflow_executions_total{workflow_name="hello",status="completed"}"#))
            #expect(text.contains("catalynx_tool_duration_seconds_bucket"))
            #expect(text.contains("catalynx_active_workflows"))
            #expect(text.contains(#"catalynx_http_request_duration_seconds_count{method="POST",route="/api/v1/runs",status="202"}"#))
        }
    }

    /// The API and the dashboard give an organization's newest figures with their year and source, as
    /// `org show` and `analyze` do (the same use case answers all four), on the embedded dataset.
    @Test func theAPIAndTheDashboardAgreeOnTheLatestRevenueAndItsYear() async throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
        let home = NSTemporaryDirectory() + "catalynx-server-data-\(UUID().uuidString)"
        let configuration = Configuration(environment: ["CATALYNX_HOME": home, "CATALYNX_DATA_DIR": root + "/data",
                                                        "CATALYNX_WORKFLOWS_DIR": root + "/workflows"],
                                          executable: home + "/catalynx", currentDirectory: home)
        let store = MemoryRunStore()
        let app = CatalynxApplication(configuration: configuration, store: store)
        let keys = try APIKeyStore()
        let token = try keys.create(name: "reader", scope: .read).token
        let services = ServerServices(app: app, engine: WorkflowEngine(store: store, registry: app.registry), keys: keys)
        try await Application(router: try CatalynxServer.router(services)).test(.router) { client in
            let record = try await client.execute(uri: "/api/v1/organizations/541230284", method: .get, headers: ServerAPITests().bearer(token)) { ServerAPITests().json($0) }
            let latest = record?["summary"]?["latest_figures"]
            #expect(latest?["revenue"] == 7_910_303)
            #expect(latest?["fiscal_year"] == "FY2024 (Apr 2023–Mar 2024)")
            #expect(record?["summary"]?["exemption"] == "501(c)(3)")
            #expect(record?["filings"]?.arrayValue?.first?["fiscal_year"] == "FY2022 (Apr 2021–Mar 2022)")
            let invalid = try await client.execute(uri: "/api/v1/organizations/12-34", method: .get, headers: ServerAPITests().bearer(token))
            #expect(invalid.status == .badRequest)
            let unknown = try await client.execute(uri: "/api/v1/organizations/86-0000099", method: .get, headers: ServerAPITests().bearer(token))
            #expect(unknown.status == .notFound && String(buffer: unknown.body).contains("no organization with EIN 86-0000099"))

            let session = try await DashboardTests().signIn(token, client)
            let page = String(buffer: try await client.execute(uri: "/organizations/541230284", method: .get, headers: [.cookie: session.cookie]).body)
            #expect(page.contains("$7,910,303 in FY2024 (Apr 2023–Mar 2024)"))
            #expect(page.contains("June 1984") && page.contains("501(c)(3)") && !page.contains("Subsection"))
            let search = String(buffer: try await client.execute(uri: "/organizations?q=food+bank", method: .get, headers: [.cookie: session.cookie]).body)
            #expect(search.contains("value=\"food bank\""), "the search box keeps the words as typed")
            #expect(search.contains("Capital Area Food Bank"))

            // A grantmaker's giving: the same figures over the API and on its page.
            let funder = try await client.execute(uri: "/api/v1/funders/141833603", method: .get, headers: ServerAPITests().bearer(token)) { ServerAPITests().json($0) }
            #expect(funder?["grant_count"] == 16 && funder?["total_given"] == 53_374 && funder?["median_grant"] == 1_000)
            #expect(funder?["grants_paid_by_year"]?.arrayValue?.first?["source"] == "Form 990-PF FY2013, e-file 201401439349100200")
            let unknownFunder = try await client.execute(uri: "/api/v1/funders/86-0000099", method: .get, headers: ServerAPITests().bearer(token))
            #expect(unknownFunder.status == .notFound)
            let funderPage = String(buffer: try await client.execute(uri: "/funders/141833603", method: .get, headers: [.cookie: session.cookie]).body)
            #expect(funderPage.contains("16 grants on record, $53,374 in FY2013; median $1,000"))
            #expect(funderPage.contains("Elton John AIDS Foundation") && funderPage.contains("first year on record"))

            // A run's page and its report link every funder to its giving; a report sent as a file does not.
            let analysis = try await app.analyze(try EIN("54-1230284"), tier: .standard)
            let runPage = String(buffer: try await client.execute(uri: "/runs/\(analysis.outcome.runID)", method: .get, headers: [.cookie: session.cookie]).body)
            #expect(runPage.contains("None of the 5,837 grantmakers on record fits well"))
            #expect(runPage.contains("href=\"/funders/"))
            let report = String(buffer: try await client.execute(uri: "/runs/\(analysis.outcome.runID)/report", method: .get, headers: [.cookie: session.cookie]).body)
            #expect(report.contains("<a href=\"/funders/"))
            let file = try #require(try app.report(of: analysis, format: .html)).body
            #expect(file.contains("Likely funders") && !file.contains("href=\"/funders/"))
        }
    }

    @Test func healthToolsAnswers503WhenACheckFails() async throws {
        var services = try ServerAPITests().setup().services
        services.healthChecks = ["baml_schemas": { HealthCheck(ok: true, detail: ["compiled": true]) }]
        let healthy = services
        try await Application(router: try CatalynxServer.router(healthy)).test(.router) { client in
            let response = try await client.execute(uri: "/health/tools", method: .get)
            let body = try #require(try? Value(json: String(buffer: response.body)))
            #expect(response.status == .ok && body["status"] == "ok" && body["database"]?["ok"] == true)
            #expect(body["tools"]?["names"]?.arrayValue?.contains("echo") == true && body["baml_schemas"]?["compiled"] == true)
        }
        services.healthChecks["organizations"] = { await HealthCheck.timed { throw CocoaError(.fileReadNoSuchFile) } }
        let failing = services
        try await Application(router: try CatalynxServer.router(failing)).test(.router) { client in
            let response = try await client.execute(uri: "/health/tools", method: .get)
            #expect(response.status == .serviceUnavailable)
            #expect(try Value(json: String(buffer: response.body))["organizations"]?["ok"] == false)
        }
    }
}
