import AgentCore

/// The OpenAPI 3 description of `/api/v1`, served at `/openapi.json`.
enum OpenAPIDocument {
    static let value: Value = {
        func operation(_ summary: String, _ responses: [String: String], body: Bool = false) -> Value {
            var object: [String: Value] = [
                "summary": .string(summary),
                "responses": .object(responses.mapValues { ["description": .string($0)] }),
            ]
            if body { object["requestBody"] = ["required": true, "content": ["application/json": ["schema": ["type": "object"]]]] }
            return .object(object)
        }
        let problems = ["400": "invalid request (problem+json)", "401": "no or invalid API key", "403": "the key's scope is too small"]
        func merged(_ extra: [String: String]) -> [String: String] { problems.merging(extra) { $1 } }
        return [
            "openapi": "3.0.3",
            "info": ["title": "Catalynx API", "version": "1"],
            "components": ["securitySchemes": ["apiKey": ["type": "http", "scheme": "bearer"]]],
            "security": [["apiKey": []]],
            "paths": [
                "/health": ["get": operation("Health: a run-store round trip and the tools", ["200": "healthy", "503": "a dependency is down"])],
                "/health/tools": ["get": operation("Every dependency: run store, tools, BAML schemas, LLM configuration, organization database",
                                                   ["200": "healthy", "503": "a dependency is down"])],
                "/metrics": ["get": operation("Prometheus metrics (text format)", ["200": "metrics"])],
                "/api/v1/hooks/{name}": ["post": operation("Inbound webhook: a payload signed with X-Catalynx-Signature: sha256=HMAC-SHA256(secret, body) starts the hook's workflow",
                                                           ["202": "started", "401": "missing or invalid signature", "404": "unknown hook", "422": "the payload does not fit"], body: true)],
                "/api/v1/hooks/deliveries": ["get": operation("Outbound webhook attempts, newest first", merged(["200": "attempts"]))],
                "/api/v1/runs": [
                    "get": operation("List runs (?status, ?workflow, ?limit)", merged(["200": "runs"])),
                    "post": operation("Start a run: {workflow, inputs}", merged(["202": "started", "404": "unknown workflow", "422": "invalid inputs"]), body: true),
                ],
                "/api/v1/runs/{id}": ["get": operation("A run", merged(["200": "the run", "404": "unknown run"]))],
                "/api/v1/runs/{id}/events": ["get": operation("A run's events (?follow=true: Server-Sent Events until the run ends)", merged(["200": "events"]))],
                "/api/v1/runs/{id}/report": ["get": operation("A run's report (?format=html|markdown|json)", merged(["200": "the report", "404": "no report"]))],
                "/api/v1/runs/{id}/pause": ["post": operation("Pause a run", merged(["200": "paused", "409": "not possible now"]))],
                "/api/v1/runs/{id}/resume": ["post": operation("Resume a run", merged(["200": "resumed", "409": "not possible now"]))],
                "/api/v1/runs/{id}/cancel": ["post": operation("Cancel a run", merged(["200": "cancelled", "409": "not possible now"]))],
                "/api/v1/runs/{id}/approval": ["post": operation("Answer a run's question: {decision, comment, corrections, reviewer, step}",
                                                                 merged(["202": "answered", "409": "nothing to answer"]), body: true)],
                "/api/v1/approvals": ["get": operation("Open questions", merged(["200": "questions"]))],
                "/api/v1/organizations": ["get": operation("Search organizations (?q, ?state, ?limit)", merged(["200": "organizations"]))],
                "/api/v1/organizations/{ein}": ["get": operation("An organization with its filings, grants and officers", merged(["200": "the organization", "404": "unknown EIN"]))],
            ],
        ]
    }()
}
