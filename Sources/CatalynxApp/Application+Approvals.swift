import AgentCore
import Foundation
import Nonprofit

/// A question a waiting run puts to a person, as every front end shows it.
public struct Approval: Sendable {
    public var runID: String
    public var step: String
    public var workflow: String
    public var tier: AnalysisTier?
    /// The organization the analysis is about, and its EIN (`54-1230284`).
    public var organization: String?
    public var ein: String?
    /// The question, in plain words.
    public var question: String
    public var findings: [String]
    public var riskLevel: String?
    public var reviewers: [String]
    public var urgency: String?
    public var requestedAt: Date
    public var deadline: Date?
    /// What happens when nobody answers in time: `proceed_with_ai` or `fail`.
    public var fallback: String
    /// Whether a draft report of what the run found so far can be shown.
    public var hasDraftReport: Bool
    /// The request as the step put it (its fields as recorded).
    public var request: Value

    /// `Enhanced analysis of Virginia Primary Care Assn Inc (54-1230284)`.
    public var title: String {
        let subject = organization.map { name in name + (ein.map { " (\($0))" } ?? "") } ?? ein ?? runID
        return "\(tier.map { "\($0.label) analysis" } ?? workflow) of \(subject)"
    }

    /// What will happen without an answer, in words.
    public var fallbackText: String {
        fallback == "fail" ? "the run fails" : "the report goes out marked as not reviewed"
    }

    /// The JSON of `approvals list --format json` and MCP's `list_approvals`.
    public var json: Value {
        [
            "run_id": .string(runID), "step": .string(step), "workflow": .string(workflow), "tier": tier.map { .string($0.rawValue) } ?? .null,
            "organization": organization.map(Value.string) ?? .null, "ein": ein.map(Value.string) ?? .null, "title": .string(title),
            "question": .string(question), "findings": .array(findings.map(Value.string)), "risk_level": riskLevel.map(Value.string) ?? .null,
            "reviewers": .array(reviewers.map(Value.string)), "requested_at": .double(requestedAt.timeIntervalSince1970),
            "deadline": deadline.map { .double($0.timeIntervalSince1970) } ?? .null, "fallback": .string(fallback),
            "has_draft_report": .bool(hasDraftReport), "request": request,
        ]
    }
}

extension CatalynxApplication {
    /// Every open question, oldest first.
    public func approvals() async throws -> [Approval] {
        let engine = try await engine()
        return try await engine.store.openHumanRequests().map { approval($0, engine: engine) }
    }

    /// The open questions of one run (an id or a unique prefix).
    /// - Throws: `ApplicationError` `.badInput` for an unknown run, `.notFound` when it waits for no answer.
    public func approvals(ofRun reference: String) async throws -> [Approval] {
        let engine = try await engine()
        let id = try await resolveRun(reference)
        let state = try await engine.store.state(of: id)
        let open = state.openRequests
        guard !open.isEmpty else { throw ApplicationError(.notFound, "run \(id) waits for no answer (it is \(state.status.rawValue))") }
        return open.map { approval($0, engine: engine) }
    }

    /// Records a person's answer to a run's question; the caller then drives the run on.
    /// - Parameter edits: changes to the inputs of the call awaiting approval (an agent's), as text.
    /// - Throws: `ApplicationError` `.badInput` when the run waits for no answer, or edits a question without a call.
    public func answer(runID: String, step: String?, _ answer: ReviewAnswer, edits: [String: String] = [:]) async throws -> RunState {
        var answer = answer
        if !edits.isEmpty {
            let open = try await approvals(ofRun: runID).filter { step == nil || $0.step == step }
            guard open.count == 1, let request = open.first?.request, case .object(let proposed)? = request["inputs"] else {
                throw ApplicationError(.badInput, "--input edits the inputs of a call waiting for approval, and run \(runID) has "
                                       + (open.count > 1 ? "several questions open; name one with --step" : "no such call waiting"))
            }
            answer.inputs = ReviewAnswer.editing(proposed, with: edits)
        }
        do {
            return try await engine().respond(runID: runID, step: step, response: answer.value, respondent: answer.reviewer)
        } catch let error as EngineError {
            throw ApplicationError(.badInput, "\(error)")
        }
    }

    /// The full id of a run given by id or unique prefix.
    /// - Throws: `ApplicationError` `.badInput` naming what was not found.
    public func resolveRun(_ reference: String) async throws -> String {
        do {
            return try await store().resolveRunID(reference)
        } catch let error as RunStoreError {
            throw ApplicationError(.badInput, "\(error)", hint: "`catalynx runs list` shows recent runs")
        }
    }

    func approval(_ open: OpenHumanRequest, engine: WorkflowEngine) -> Approval {
        let request = open.request.request
        let strings = { (key: String) in (request[key]?.arrayValue ?? []).compactMap(\.stringValue) }
        let ein = request["organization_ein"]?.stringValue ?? open.run.inputs[AnalysisTier.einInput]?.stringValue.flatMap { try? EIN($0).formatted }
        let definition = try? engine.definition(of: open.run)
        return Approval(
            runID: open.run.runID, step: open.step, workflow: open.run.workflowName, tier: AnalysisTier(workflow: open.run.workflowName),
            organization: request["organization"]?.stringValue, ein: ein,
            question: request["question"]?.stringValue ?? "Approve the step \(open.step) of run \(open.run.runID)?",
            findings: strings("findings"), riskLevel: request["risk_level"]?.stringValue, reviewers: strings("reviewers"),
            urgency: request["urgency"]?.stringValue, requestedAt: open.request.requestedAt, deadline: open.request.deadline,
            fallback: open.request.fallback, hasDraftReport: definition.map { hasReport(open.run, definition: $0) } ?? false, request: request)
    }
}
