import AgentCore

/// The OpenAPI 3 description of `/api/v1`, served at `/openapi.json`: every path, query and header
/// parameter with its type, every request body with its required fields, and every status a
/// route answers (errors are `application/problem+json`). `.ci/run` checks the server against it
/// with schemathesis.
enum OpenAPIDocument {
    /// The EINs the API takes: nine digits, a dash after two allowed, the first two a prefix the IRS assigns.
    enum EINPattern {
        static let regex = "^(0[1-6]|1[0-6]|2[0-7]|3[0-9]|4[0-8]|5[0-9]|6[0-8]|7[1-7]|8[0-8]|9[0-5]|9[89])-?[0-9]{7}$"
    }

    static let value: Value = {
        let problem: Value = ["content": ["application/problem+json": ["schema": ["$ref": "#/components/schemas/Problem"]]]]
        func responses(_ codes: [String: String], json: Bool = true, list: Bool = false) -> Value {
            .object(codes.mapValues { description in
                let success = description.hasPrefix("+")
                var response: [String: Value] = ["description": .string(success ? String(description.dropFirst()) : description)]
                if !success, let content = problem["content"] { response["content"] = content }
                if success, json { response["content"] = ["application/json": ["schema": ["type": list ? "array" : "object"]]] }
                return .object(response)
            })
        }
        func path(_ name: String, _ description: String) -> Value {
            ["name": .string(name), "in": "path", "required": true, "description": .string(description), "schema": ["type": "string", "minLength": 1]]
        }
        func query(_ name: String, _ schema: Value, required: Bool = false, _ description: String) -> Value {
            ["name": .string(name), "in": "query", "required": .bool(required), "description": .string(description), "schema": schema]
        }
        func operation(_ summary: String, parameters: [Value] = [], body: Value? = nil, _ codes: [String: String], open: Bool = false,
                       json: Bool = true, list: Bool = false) -> Value {
            var object: [String: Value] = ["summary": .string(summary), "responses": responses(codes, json: json, list: list)]
            if !parameters.isEmpty { object["parameters"] = .array(parameters) }
            if let body { object["requestBody"] = ["required": true, "content": ["application/json": ["schema": body]]] }
            if open { object["security"] = [] }
            return .object(object)
        }
        let keyed = ["401": "no or invalid API key", "403": "the key's scope is too small"]
        func merged(_ extra: [String: String]) -> [String: String] { keyed.merging(extra) { $1 } }
        let runID = path("id", "a run id or a unique prefix of one")
        let unknownRun = ["400": "the id names no run or several", "404": "no such run"]
        let text: Value = ["type": "string"]
        let runStatus: Value = ["type": "string", "enum": .array(RunStatus.allCases.map { .string($0.rawValue) })]
        let startBody: Value = [
            "type": "object", "required": ["workflow"],
            "properties": ["workflow": ["type": "string", "minLength": 1], "inputs": ["type": "object"]],
        ]
        let answerBody: Value = [
            "type": "object", "required": ["decision"],
            "properties": [
                "decision": ["type": "string", "enum": ["approve", "reject"]], "comment": text, "reviewer": text, "step": text,
                "corrections": ["type": "array", "items": text],
                "inputs": ["type": "object", "description": "changes to the inputs of an agent's call awaiting approval"],
            ],
        ]
        let forkBody: Value = [
            "type": "object", "required": ["from"],
            "properties": ["from": ["type": "string", "minLength": 1], "inputs": ["type": "object"]],
        ]
        let runControl = merged(unknownRun.merging(["200": "+the run", "409": "not possible now"]) { $1 })
        return [
            "openapi": "3.0.3",
            "info": ["title": "Catalynx API", "version": "1"],
            "components": [
                "securitySchemes": ["apiKey": ["type": "http", "scheme": "bearer"]],
                "schemas": ["Problem": [
                    "type": "object", "required": ["title", "status", "detail"],
                    "properties": ["type": text, "title": text, "status": ["type": "integer"], "detail": text],
                ]],
            ],
            "security": [["apiKey": []]],
            "paths": [
                "/health": ["get": operation("Health: a run-store round trip and the tools", ["200": "+healthy", "503": "a dependency is down"], open: true)],
                "/health/tools": ["get": operation("Every dependency: run store, tools, BAML schemas, LLM configuration, organization database",
                                                   ["200": "+healthy", "503": "a dependency is down"], open: true)],
                "/api/v1/hooks/{name}": ["post": operation(
                    "Inbound webhook: a payload signed with X-Catalynx-Signature (sha256=HMAC-SHA256 of the body, or of `timestamp.body` with "
                        + "X-Catalynx-Timestamp) starts the hook's workflow; each delivery starts one run",
                    parameters: [path("name", "the hook's name")], body: ["type": "object"],
                    ["202": "+started", "400": "the payload is not JSON", "401": "missing or invalid signature, or a stale timestamp",
                     "404": "unknown hook", "409": "this delivery was received before", "413": "the body is too large",
                     "422": "the payload does not fit"], open: true)],
                "/api/v1/hooks/deliveries": ["get": operation("Outbound webhook attempts, newest first", merged(["200": "+attempts"]), list: true)],
                "/api/v1/runs": [
                    "get": operation("List runs", parameters: [
                        query("status", runStatus, "only runs with this status"), query("workflow", text, "only runs of this workflow"),
                        query("limit", ["type": "integer", "minimum": 1, "maximum": 1000], "at most this many runs (default 50)"),
                    ], merged(["200": "+runs", "400": "an invalid status or limit"]), list: true),
                    "post": operation("Start a run of a workflow the server knows", body: startBody,
                                      merged(["202": "+started", "400": "the body is not a JSON object with a workflow name", "404": "unknown workflow",
                                              "413": "the body is too large", "422": "invalid inputs"])),
                ],
                "/api/v1/runs/{id}": ["get": operation("A run: status, steps, outputs, what it waits for", parameters: [runID],
                                                      merged(unknownRun.merging(["200": "+the run"]) { $1 }))],
                "/api/v1/runs/{id}/events": ["get": operation(
                    "A run's events (follow=true: Server-Sent Events until the run ends, resumed after Last-Event-ID)",
                    parameters: [runID, query("follow", ["type": "boolean"], "stream the events as they are recorded")],
                    merged(unknownRun.merging(["200": "+events"]) { $1 }))],
                "/api/v1/runs/{id}/report": ["get": operation(
                    "A run's report (a draft while it waits for a review)",
                    parameters: [runID, query("format", ["type": "string", "enum": ["html", "markdown", "json"]], "the report's format (default html)")],
                    merged(unknownRun.merging(["200": "+the report", "404": "no such run, or the run has no report"]) { $1 }), json: false)],
                "/api/v1/runs/{id}/pause": ["post": operation("Pause a run", parameters: [runID], runControl)],
                "/api/v1/runs/{id}/resume": ["post": operation("Resume a run", parameters: [runID], runControl)],
                "/api/v1/runs/{id}/cancel": ["post": operation("Cancel a run", parameters: [runID], runControl)],
                "/api/v1/runs/{id}/fork": ["post": operation(
                    "Fork a run: a new run from its history up to a step, with inputs changed; the step and what follows run again",
                    parameters: [runID], body: forkBody,
                    merged(unknownRun.merging(["202": "+forked", "400": "the body is not a JSON object with a step", "409": "the workflow no longer validates",
                                               "413": "the body is too large", "422": "the step never began in the run, or invalid inputs"]) { $1 }))],
                "/api/v1/runs/{id}/approval": ["post": operation(
                    "Answer a run's question", parameters: [runID], body: answerBody,
                    merged(unknownRun.merging(["202": "+answered", "400": "no decision, or fields of the wrong type", "409": "the run waits for no answer", "422": "inputs to edit, but no call waits for approval",
                                               "413": "the body is too large"]) { $1 }))],
                "/api/v1/approvals": ["get": operation("The questions runs wait on", merged(["200": "+questions"]), list: true)],
                "/api/v1/organizations": ["get": operation("Search organizations by name, secondary name or city", parameters: [
                    query("q", ["type": "string", "minLength": 1], required: true, "the words to look for"),
                    query("state", ["type": "string", "pattern": "^[A-Za-z]{2}$"], "a two-letter state code"),
                    query("limit", ["type": "integer", "minimum": 1, "maximum": 200], "at most this many (default 20)"),
                ], merged(["200": "+organizations", "400": "no words, or an invalid state or limit"]), list: true)],
                "/api/v1/funders/{ein}": ["get": operation(
                    "A grantmaker's giving: by year, grant sizes, top recipients, places and causes, openness to new grantees, assets and payout",
                    parameters: [["name": "ein", "in": "path", "required": true, "description": "the grantmaker's EIN",
                                  "schema": ["type": "string", "pattern": .string(EINPattern.regex)]]],
                    merged(["200": "+the giving profile", "400": "not a valid EIN", "404": "unknown EIN"]))],
                "/api/v1/organizations/{ein}": ["get": operation(
                    "An organization: filings, grants, officers, and a summary with its latest figures and codes in words",
                    parameters: [["name": "ein", "in": "path", "required": true, "description": "the EIN, 54-1230284 or 541230284 (a prefix the IRS assigns)",
                                  "schema": ["type": "string", "pattern": .string(EINPattern.regex)]]],
                    merged(["200": "+the organization", "400": "not a valid EIN", "404": "unknown EIN"]))],
            ],
        ]
    }()

    /// The methods the document gives a request path (`/api/v1/runs/run_01…` matches `/api/v1/runs/{id}`), upper-case;
    /// nil for a path it does not describe (the dashboard's pages).
    static func methods(for path: String) -> Set<String>? {
        let segments = path.split(separator: "/", omittingEmptySubsequences: true)
        var methods: Set<String> = []
        var described = false
        for (template, allowed) in routes where template.count == segments.count {
            guard zip(template, segments).allSatisfy({ $0.hasPrefix("{") || $0 == $1 }) else { continue }
            described = true
            methods.formUnion(allowed)
        }
        return described ? methods : nil
    }

    /// Each documented path as its segments, with its methods.
    static let routes: [(template: [Substring], methods: Set<String>)] = {
        guard case .object(let paths)? = value["paths"] else { return [] }
        return paths.map { path, operations in
            guard case .object(let byMethod) = operations else { return (path.split(separator: "/"), []) }
            return (path.split(separator: "/", omittingEmptySubsequences: true), Set(byMethod.keys.map { $0.uppercased() }))
        }
    }()
}
