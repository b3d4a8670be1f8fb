import AgentCore
import Foundation
import Hummingbird

/// `POST /api/v1/hooks/{name}`: a signed payload from another system starts the hook's workflow
/// with inputs mapped from the payload. The signature (`X-Catalynx-Signature` or GitHub's
/// `X-Hub-Signature-256`, `sha256=<hex>`) stands in for an API key.
struct InboundHooks: Sendable {
    let services: ServerServices

    func register(on router: Router<BasicRequestContext>) {
        router.post("api/v1/hooks/:name") { request, context in try await receive(request, context) }
    }

    func receive(_ request: Request, _ context: some RequestContext) async throws -> Response {
        let name = context.parameters.get("name") ?? ""
        guard let hook = services.webhooks.inbound[name] else { throw Problem(.notFound, "Unknown hook", "no inbound webhook named '\(name)' is configured") }
        let buffer = try await request.body.collect(upTo: 1 << 20)
        let body = Array(buffer: buffer)
        let signature = request.headers.first { ["x-catalynx-signature", "x-hub-signature-256"].contains($0.name.canonicalName) }?.value
        guard let signature else {
            throw Problem(.unauthorized, "Signature required", "sign the body with HMAC-SHA256 and send `\(WebhookSignature.header): sha256=<hex>`")
        }
        guard WebhookSignature.verify(signature, body: body, secret: hook.secret) else {
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
        let (id, definition) = try await services.startRun(hook.workflow, inputs: inputs)
        return JSONResponse.make(["run_id": .string(id), "status": "running", "workflow": .string(definition.name), "hook": .string(name),
                                  "links": ["self": .string("/api/v1/runs/\(id)")]], status: .accepted)
    }
}
