import AgentCore
import Foundation
import Hummingbird
import HummingbirdTesting
import Synchronization
import Testing
import TestSupport
@testable import AgentServer

/// Inbound webhooks (signed payloads start workflows) and outbound ones (signed, retried, recorded).
@Suite("Server webhooks")
struct WebhookTests {
    let api = ServerAPITests()

    func configuration(_ yaml: String, environment: [String: String] = ["HOOK_SECRET": "s3cret", "OUT_SECRET": "0ut"]) throws -> WebhookConfiguration {
        let path = NSTemporaryDirectory() + "webhooks-\(UUID().uuidString).yaml"
        try yaml.write(toFile: path, atomically: true, encoding: .utf8)
        return try WebhookConfiguration.load(path: path, environment: environment)
    }

    static let hello = """
        inbound:
          portal:
            secret_env: HOOK_SECRET
            workflow: hello
            inputs:
              greeting: "{{ payload.message.text }}"
        """

    @Test func aSignedPayloadStartsTheWorkflowWithMappedInputsAndABadSignatureChangesNothing() async throws {
        let setup = try api.setup()
        var services = setup.services
        services.webhooks = try configuration(Self.hello)
        let configured = services
        let app = Application(router: try CatalynxServer.router(configured))
        try await app.test(.router) { client in
            let body = #"{"message": {"text": "hello from the portal"}}"#
            let signature = WebhookSignature.sign(Array(body.utf8), secret: "s3cret")
            for headers: HTTPFields in [[:], [.init("X-Catalynx-Signature")!: WebhookSignature.sign(Array(body.utf8), secret: "wrong")],
                                        [.init("X-Catalynx-Signature")!: WebhookSignature.sign(Array("{}".utf8), secret: "s3cret")]] {
                let refused = try await client.execute(uri: "/api/v1/hooks/portal", method: .post, headers: headers, body: ByteBuffer(string: body))
                #expect(refused.status == .unauthorized)
            }
            #expect(try await client.execute(uri: "/api/v1/hooks/elsewhere", method: .post, headers: [.init("X-Catalynx-Signature")!: signature],
                                             body: ByteBuffer(string: body)).status == .notFound)
            #expect(try await configured.engine.store.runs(RunQuery()).isEmpty)
            // GitHub's header works too.
            let accepted = try await client.execute(uri: "/api/v1/hooks/portal", method: .post, headers: [.init("X-Hub-Signature-256")!: signature],
                                                    body: ByteBuffer(string: body))
            #expect(accepted.status == .accepted)
            let id = try #require(api.json(accepted)?["run_id"]?.stringValue)
            let final = try await api.waitFor("completed", run: id, client, token: setup.read)
            #expect(final?["steps"]?["say"]?["output"]?["value"] == "hello from the portal, world")
        }
    }

    /// A signed request replayed, or a delivery sent again, starts one run; a stale timestamp starts none.
    @Test func aReplayedDeliveryStartsNoSecondRun() async throws {
        let setup = try api.setup()
        var services = setup.services
        services.webhooks = try configuration(Self.hello)
        let configured = services
        try await Application(router: try CatalynxServer.router(configured)).test(.router) { client in
            func post(_ body: String, _ headers: [String: String]) async throws -> TestResponse {
                var fields = HTTPFields()
                for (name, value) in headers { fields[.init(name)!] = value }
                return try await client.execute(uri: "/api/v1/hooks/portal", method: .post, headers: fields, body: ByteBuffer(string: body))
            }
            let body = #"{"message": {"text": "once"}}"#
            let signed = ["X-Catalynx-Signature": WebhookSignature.sign(Array(body.utf8), secret: "s3cret")]
            var statuses: [HTTPResponse.Status] = []
            for _ in 0..<4 { statuses.append(try await post(body, signed).status) }
            #expect(statuses == [.accepted, .conflict, .conflict, .conflict])
            #expect(try await configured.engine.store.runs(RunQuery()).count == 1)

            // A retry of one delivery (same id, fresh timestamp and signature) is refused with the first run's id.
            func timestamped(_ body: String, at time: Double, delivery: String? = nil, github: Bool = false) -> [String: String] {
                let timestamp = String(Int(time))
                var headers = [WebhookSignature.timestampHeader: timestamp,
                               WebhookSignature.header: WebhookSignature.sign(Array(body.utf8), timestamp: timestamp, secret: "s3cret")]
                if let delivery { headers[github ? "X-GitHub-Delivery" : WebhookSignature.deliveryHeader] = delivery }
                return headers
            }
            let now = Date().timeIntervalSince1970
            let second = #"{"message": {"text": "twice"}}"#
            let first = try await post(second, timestamped(second, at: now, delivery: "dlv_1"))
            #expect(first.status == .accepted)
            let firstRun = try #require(api.json(first)?["run_id"]?.stringValue)
            let retry = try await post(second, timestamped(second, at: now + 1, delivery: "dlv_1"))
            #expect(retry.status == .conflict && String(buffer: retry.body).contains(firstRun))
            // Outside five minutes, or signed without its timestamp, nothing starts.
            #expect(try await post(second, timestamped(second, at: now - 600, delivery: "dlv_2")).status == .unauthorized)
            var unsigned = timestamped(second, at: now, delivery: "dlv_3")
            unsigned[WebhookSignature.header] = WebhookSignature.sign(Array(second.utf8), secret: "s3cret")
            #expect(try await post(second, unsigned).status == .unauthorized)
            // GitHub-style deliveries are told apart by their id.
            let third = #"{"message": {"text": "github"}}"#
            let github = ["X-Hub-Signature-256": WebhookSignature.sign(Array(third.utf8), secret: "s3cret"), "X-GitHub-Delivery": "gh-1"]
            #expect(try await post(third, github).status == .accepted)
            #expect(try await post(third, github).status == .conflict)
            #expect(try await configured.engine.store.runs(RunQuery()).count == 3)
        }
    }

    /// Bodies over the limit are answered 413 with a problem document, on the hooks and the API.
    @Test func anOversizedBodyIsAnswered413() async throws {
        let setup = try api.setup()
        var services = setup.services
        services.webhooks = try configuration(Self.hello)
        let configured = services
        try await Application(router: try CatalynxServer.router(configured)).test(.router) { client in
            let large = ByteBuffer(string: "{\"x\": \"" + String(repeating: "a", count: 2 << 20) + "\"}")
            let hook = try await client.execute(uri: "/api/v1/hooks/portal", method: .post,
                                                headers: [.init("X-Catalynx-Signature")!: "sha256=00"], body: large)
            #expect(hook.status == .contentTooLarge)
            #expect(hook.headers[.contentType] == "application/problem+json")
            let api = try await client.execute(uri: "/api/v1/runs", method: .post, headers: self.api.bearer(setup.write), body: large)
            #expect(api.status == .contentTooLarge && String(buffer: api.body).contains("at most"))
        }
    }

    @Test func configurationErrorsSayFileLineAndColumn() throws {
        #expect(throws: WebhookConfiguration.LoadError.self) { try configuration(Self.hello, environment: [:]) }
        do {
            _ = try configuration("inbound:\n  portal:\n    workflow: hello\n", environment: [:])
            Issue.record("a hook without a secret loaded")
        } catch {
            #expect("\(error)".hasSuffix(".yaml:3:5: error: missing `secret_env`: the environment variable holding the HMAC key"))
        }
        do {
            _ = try configuration("outbound:\n  - url: http://x\n    secret_env: OUT_SECRET\n    events: [run.exploded]\n")
            Issue.record("an unknown event loaded")
        } catch {
            #expect("\(error)".contains(":4:13: error: unknown event 'run.exploded'"))
        }
    }

    @Test func outboundWebhooksAreSignedRetriedAndRecorded() async throws {
        let received = Mutex<[(headers: [String: String], body: Data)]>([])
        let server = try LocalHTTPServer(headerHandler: { _, headers, body in
            let count = received.withLock { list in
                list.append((headers, body))
                return list.count
            }
            return .init(status: count == 1 ? 503 : 204, body: Data())
        })
        defer { server.shutdown() }
        let configuration = try configuration("""
            outbound:
              - url: \(server.baseURL)/hooks
                secret_env: OUT_SECRET
                events: [run.completed]
              - url: \(server.baseURL)/never
                secret_env: OUT_SECRET
                events: [run.failed]
            """)
        let log = try DeliveryLog()
        let webhooks = OutboundWebhooks(targets: configuration.outbound, log: log, firstBackoff: .milliseconds(10))
        var state = RunState(runID: "run_1")
        state.workflowName = "hello"
        state.status = .completed
        await webhooks.runStopped(state)

        let requests = received.withLock { $0 }
        #expect(requests.count == 2)
        let last = try #require(requests.last)
        #expect(last.headers["x-catalynx-event"] == "run.completed")
        let timestamp = try #require(last.headers["x-catalynx-timestamp"])
        #expect(abs((Double(timestamp) ?? 0) - Date().timeIntervalSince1970) < 60)
        #expect(last.headers["x-catalynx-signature"] == WebhookSignature.sign(Array(last.body), timestamp: timestamp, secret: "0ut"))
        let payload = try Value(json: String(decoding: last.body, as: UTF8.self))
        #expect(payload["run_id"] == "run_1" && payload["status"] == "completed")
        let attempts = try log.recent()
        #expect(attempts.map(\.statusCode) == [204, 503])
        #expect(attempts.map(\.delivered) == [true, false])
        #expect(Set(attempts.map(\.delivery)).count == 1)
    }
}

/// A hostile webhooks file is refused at once with its location, so `serve` starts or says why.
@Suite("Webhook file bounds")
struct WebhookFileBoundsTests {
    @Test func anAliasBombInTheWebhooksFileIsRefusedFast() throws {
        var lines = ["inbound:", "  hook:", "    workflow: hello", "    secret_env: HOOK_SECRET", "    inputs:", "      l0: &l0 [x, x, x, x, x, x, x, x, x]"]
        for level in 1..<9 { lines.append("      l\(level): &l\(level) [" + Array(repeating: "*l\(level - 1)", count: 9).joined(separator: ", ") + "]") }
        let path = NSTemporaryDirectory() + "catalynx-webhooks-\(UUID().uuidString).yaml"
        try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        let clock = ContinuousClock()
        let started = clock.now
        do {
            _ = try WebhookConfiguration.load(path: path, environment: ["HOOK_SECRET": "s"])
            Issue.record("the bomb was accepted")
        } catch {
            #expect("\(error)".contains("aliases are expanded") && "\(error)".hasPrefix("\(path):"), "\(error)")
        }
        #expect(clock.now - started < .seconds(5))
    }
}
