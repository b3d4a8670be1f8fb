import AgentCore
import CatalynxApp
import Foundation
import Hummingbird

/// `/api/v1/runs` and `/api/v1/approvals`: start, list, read, follow, control and answer runs.
struct RunsAPI: Sendable {
    let services: ServerServices

    func register<Context: RequestContext>(on group: RouterGroup<Context>) {
        group.get("runs") { request, _ in try await list(request) }
        group.post("runs") { request, context in try await start(request, context) }
        group.get("runs/:id") { _, context in try await show(context) }
        group.get("runs/:id/events") { request, context in
            let following = try QueryValue.boolean(request.uri.queryParameters["follow"], "follow") ?? false
            let live = following || (request.headers[.accept] ?? "").contains("text/event-stream")
            return live ? try await follow(request, context) : try await events(context)
        }
        group.post("runs/:id/pause") { _, context in try await control(context) { try await services.engine.pause(runID: $0, reason: "paused over the API") } }
        group.post("runs/:id/cancel") { _, context in try await control(context) { try await services.engine.cancel(runID: $0, reason: "cancelled over the API") } }
        group.post("runs/:id/resume") { _, context in
            try await control(context) { id in
                let state = try await services.engine.resume(runID: id)
                services.drive(id)
                return state
            }
        }
        group.post("runs/:id/fork") { request, context in try await fork(request, context) }
        group.get("approvals") { _, _ in try await approvals() }
        group.get("runs/:id/report") { request, context in try await report(request, context) }
        group.post("runs/:id/approval") { request, context in try await answer(request, context) }
    }

    private func runID(_ context: some RequestContext) async throws -> String { try await services.resolveRun(context) }

    private func body(_ request: Request) async throws -> Value {
        let bytes = try await RequestBody.collect(request, limit: 1 << 20)
        do {
            return try Value(json: String(decoding: bytes, as: UTF8.self))
        } catch {
            throw Problem(.badRequest, "Invalid JSON", "the request body is not JSON: \(error)")
        }
    }

    func list(_ request: Request) async throws -> Response {
        let query = request.uri.queryParameters
        var filter = RunQuery(limit: try QueryValue.integer(query["limit"], "limit", in: 1...1000) ?? 50)
        if let status = query["status"] {
            guard let parsed = RunStatus(rawValue: String(status)) else {
                throw Problem(.badRequest, "Invalid status", "status must be one of \(RunStatus.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            filter.status = parsed
        }
        filter.workflow = query["workflow"].map(String.init)
        let runs = try await services.engine.store.runs(filter)
        let drivers = try await services.engine.store.drivers(of: runs.map(\.id))
        return JSONResponse.make(.array(runs.map { summary in
            var listed: [String: Value] = ["id": .string(summary.id), "workflow": .string(summary.workflow), "status": .string(summary.status.rawValue),
                                           "created_at": .double(summary.createdAt.timeIntervalSince1970),
                                           "links": ["self": .string("/api/v1/runs/\(summary.id)")]]
            if let driver = drivers?[summary.id] { listed["driven_by"] = .string(driver) }
            return .object(listed)
        }))
    }

    /// `POST /api/v1/runs {"workflow": "current_tier_analysis", "inputs": {…}}` → 202 with the run id.
    func start(_ request: Request, _ context: some RequestContext) async throws -> Response {
        let payload = try await body(request)
        guard let name = payload["workflow"]?.stringValue else { throw Problem(.badRequest, "Missing workflow", "the body needs \"workflow\": a workflow name") }
        guard case .object(let given)? = payload["inputs"] ?? .object([:]) else { throw Problem(.badRequest, "Invalid inputs", "\"inputs\" must be an object") }
        let (id, definition) = try await services.startRun(name, inputs: given)
        return JSONResponse.make(["run_id": .string(id), "status": "running", "workflow": .string(definition.name),
                                  "links": ["self": .string("/api/v1/runs/\(id)"), "events": .string("/api/v1/runs/\(id)/events")]],
                                 status: .accepted)
    }

    func show(_ context: some RequestContext) async throws -> Response {
        let id = try await runID(context)
        let state = try await services.engine.store.state(of: id)
        return JSONResponse.make(state.document(definition: try? services.engine.definition(of: state)))
    }

    func events(_ context: some RequestContext) async throws -> Response {
        let id = try await runID(context)
        let events = try await services.engine.store.events(runID: id, after: 0)
        return JSONResponse.make(.array(events.map { event in
            guard case .object(var fields) = event.kind.value else { return event.kind.value }
            fields["seq"] = .int(event.sequence)
            fields["timestamp"] = .double(event.timestamp.timeIntervalSince1970)
            return .object(fields)
        }))
    }

    /// The events as Server-Sent Events, live until the run ends (`Last-Event-ID` resumes after that sequence number).
    func follow(_ request: Request, _ context: some RequestContext) async throws -> Response {
        let id = try await runID(context)
        let start = request.headers.first { $0.name.canonicalName == "last-event-id" }.flatMap { Int($0.value) } ?? 0
        let body = ResponseBody { [services] writer in
            try await services.followEvents(of: id, after: start, until: \.isTerminal) { events in
                for event in events {
                    guard case .object(var fields) = event.kind.value else { continue }
                    fields["seq"] = .int(event.sequence)
                    fields["timestamp"] = .double(event.timestamp.timeIntervalSince1970)
                    try await writer.write(ByteBuffer(string: "id: \(event.sequence)\nevent: \(event.kind.typeName)\ndata: \(Value.object(fields).jsonString())\n\n"))
                }
            }
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: [.contentType: "text/event-stream", .cacheControl: "no-cache"], body: body)
    }

    /// `POST /api/v1/runs/{id}/fork {"from": "score_funders", "inputs": {…}}` → 202 with the new run's id
    /// (driven in the background): the run's history up to the step, the step and what follows run again.
    func fork(_ request: Request, _ context: some RequestContext) async throws -> Response {
        let id = try await runID(context)
        let payload = try await body(request)
        guard let step = payload["from"]?.stringValue else { throw Problem(.badRequest, "Missing step", "the body needs \"from\": the step to fork from") }
        guard case .object(let changed)? = payload["inputs"] ?? .object([:]) else { throw Problem(.badRequest, "Invalid inputs", "\"inputs\" must be an object") }
        let forkID = try await services.fork(runID: id, from: step, inputs: changed)
        return JSONResponse.make(["run_id": .string(forkID), "status": "running", "forked_from": ["run_id": .string(id), "step": .string(step)],
                                  "links": ["self": .string("/api/v1/runs/\(forkID)"), "events": .string("/api/v1/runs/\(forkID)/events")]],
                                 status: .accepted)
    }

    func control(_ context: some RequestContext, _ action: (String) async throws -> RunState) async throws -> Response {
        let id = try await runID(context)
        do {
            return JSONResponse.make(try await action(id).document(definition: nil))
        } catch let error as EngineError {
            throw Problem(.conflict, "Not possible now", error.description)
        }
    }

    /// `GET /api/v1/runs/{id}/report?format=html|markdown|json`.
    func report(_ request: Request, _ context: some RequestContext) async throws -> Response {
        let id = try await runID(context)
        guard let format = ReportFormat(rawValue: request.uri.queryParameters["format"].map(String.init) ?? "html") else {
            throw Problem(.badRequest, "Unknown format", "format is html, markdown or json")
        }
        let rendered = try services.renderReport(try await services.engine.store.state(of: id), format: format)
        var headers = Pages.securityHeaders
        headers[.contentType] = rendered.contentType
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: rendered.body)))
    }

    func approvals() async throws -> Response {
        JSONResponse.make(.array(try await services.engine.store.openHumanRequests().map { open in
            ["run_id": .string(open.run.runID), "workflow": .string(open.run.workflowName), "step": .string(open.step),
             "request": open.request.request, "requested_at": .double(open.request.requestedAt.timeIntervalSince1970),
             "deadline": open.request.deadline.map { .double($0.timeIntervalSince1970) } ?? .null,
             "links": ["answer": .string("/api/v1/runs/\(open.run.runID)/approval")]]
        }))
    }

    /// `POST /api/v1/runs/{id}/approval {"decision": "approve"|"reject", "comment", "corrections", "reviewer", "step", "inputs"}`
    /// (`inputs`: changes to the inputs of an agent's call awaiting approval).
    func answer(_ request: Request, _ context: some RequestContext) async throws -> Response {
        let id = try await runID(context)
        let payload = try await body(request)
        guard let decision = payload["decision"]?.stringValue.flatMap(ReviewAnswer.Decision.init(rawValue:)) else {
            throw Problem(.badRequest, "Missing decision", "the body needs \"decision\": \"approve\" or \"reject\"")
        }
        if let comment = payload["comment"], comment.stringValue == nil, comment != .null {
            throw Problem(.badRequest, "Invalid comment", "\"comment\" must be a string")
        }
        let corrections = payload["corrections"]?.arrayValue?.compactMap(\.stringValue)
        if let given = payload["corrections"], given != .null, corrections?.count != given.arrayValue?.count {
            throw Problem(.badRequest, "Invalid corrections", "\"corrections\" must be a list of strings")
        }
        if let inputs = payload["inputs"], inputs.objectValue == nil, inputs != .null {
            throw Problem(.badRequest, "Invalid inputs", "\"inputs\" must be an object of the changed inputs of the call awaiting approval")
        }
        let answer = ReviewAnswer(decision: decision, reviewer: payload["reviewer"]?.stringValue ?? "api",
                                  comment: payload["comment"]?.stringValue, corrections: corrections ?? [])
        let state = try await services.answer(runID: id, step: payload["step"]?.stringValue, answer, edits: payload["inputs"]?.objectValue ?? [:])
        return JSONResponse.make(["run_id": .string(id), "status": .string(state.status.rawValue)], status: .accepted)
    }
}
