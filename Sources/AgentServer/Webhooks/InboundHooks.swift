import AgentCore
import Foundation
import Hummingbird

/// `POST /api/v1/hooks/{name}`: a signed payload from another system starts the hook's workflow
/// with inputs mapped from the payload. The signature (`X-Catalynx-Signature` or GitHub's
/// `X-Hub-Signature-256`, `sha256=<hex>`) stands in for an API key; a signed
/// `X-Catalynx-Timestamp` must be within five minutes, and each delivery (by its
/// `X-Catalynx-Delivery` / `X-GitHub-Delivery` id, else by its signature) starts one run only.
struct InboundHooks: Sendable {
    let services: ServerServices

    func register(on router: Router<BasicRequestContext>) {
        router.post("api/v1/hooks/:name") { request, context in try await receive(request, context) }
    }

    func receive(_ request: Request, _ context: some RequestContext) async throws -> Response {
        let name = context.parameters.get("name") ?? ""
        guard let hook = services.webhooks.inbound[name] else { throw Problem(.notFound, "Unknown hook", "no inbound webhook named '\(name)' is configured") }
        let body = try await RequestBody.collect(request, limit: Self.maximumBody)
        func header(_ names: String...) -> String? { request.headers.first { names.contains($0.name.canonicalName) }?.value }
        guard let signature = header("x-catalynx-signature", "x-hub-signature-256") else {
            throw Problem(.unauthorized, "Signature required", "sign the body with HMAC-SHA256 and send `\(WebhookSignature.header): sha256=<hex>`")
        }
        let timestamp = header("x-catalynx-timestamp")
        if let timestamp {
            guard let seconds = TimeInterval(timestamp), abs(Date().timeIntervalSince1970 - seconds) <= WebhookSignature.window else {
                throw Problem(.unauthorized, "Stale or invalid timestamp",
                              "\(WebhookSignature.timestampHeader) must be the Unix time of sending, within \(Int(WebhookSignature.window / 60)) minutes of the server's clock")
            }
        }
        guard WebhookSignature.verify(signature, body: body, timestamp: timestamp, secret: hook.secret) else {
            throw Problem(.unauthorized, "Invalid signature", "the signature does not match the body under this hook's secret")
        }
        let payload: Value
        do {
            payload = try Value(json: String(decoding: body, as: UTF8.self))
        } catch {
            throw Problem(.badRequest, "Invalid JSON", "the payload is not JSON: \(error)")
        }
        let inputs: [String: Value]
        do {
            inputs = try hook.inputs(for: payload)
        } catch {
            throw Problem(.unprocessableContent, "Payload does not fit", "hook '\(name)': \(error)")
        }
        // One run per delivery: a replay of the same signed request, or a retry of the same delivery id, starts nothing.
        guard let log = services.deliveries else { throw Problem(.serviceUnavailable, "No delivery log", "the server keeps no record of deliveries") }
        let key = header("x-catalynx-delivery", "x-github-delivery").map { "delivery:\($0)" } ?? "signature:\(signature.lowercased())"
        if let first = try log.receive(hook: name, key: key) {
            throw Problem(.conflict, "Already received", "this delivery was received before"
                          + (first.isEmpty ? "" : " and started run \(first)") + "; it starts no second run")
        }
        let started: (id: String, definition: WorkflowDefinition)
        do {
            started = try await services.startRun(hook.workflow, inputs: inputs)
        } catch {
            try? log.received(hook: name, key: key, runID: nil)
            throw error
        }
        try log.received(hook: name, key: key, runID: started.id)
        return JSONResponse.make(["run_id": .string(started.id), "status": "running", "workflow": .string(started.definition.name), "hook": .string(name),
                                  "links": ["self": .string("/api/v1/runs/\(started.id)")]], status: .accepted)
    }

    /// The largest payload taken (a form's worth of JSON).
    static let maximumBody = 1 << 20
}
