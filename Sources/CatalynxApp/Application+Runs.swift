import AgentCore
import Foundation
import Nonprofit

/// What a run is about, for lists people read: the organization and tier of an analysis, else its workflow.
public struct RunSubject: Sendable {
    public var runID: String
    /// `Virginia Primary Care Assn Inc`, or the workflow's name for a run that is not an analysis.
    public var title: String
    /// `54-1230284`.
    public var ein: String?
    public var tier: AnalysisTier?
    public var status: RunStatus
    public var started: Date
    /// How long it ran, once it stopped.
    public var duration: TimeInterval?
}

extension CatalynxApplication {
    /// What each run is about (the organization's name comes from the run's own record of it).
    public func subjects(of runs: [RunSummary]) async throws -> [String: RunSubject] {
        let store = try await store()
        var subjects: [String: RunSubject] = [:]
        for summary in runs {
            guard let state = try? await store.state(of: summary.id) else { continue }
            subjects[summary.id] = subject(of: state)
        }
        return subjects
    }

    /// What a run is about: for an analysis, the organization (by the name its profile step recorded) and the tier.
    public func subject(of state: RunState) -> RunSubject {
        let ein = state.inputs[AnalysisTier.einInput]?.stringValue.flatMap { try? EIN($0).formatted }
        let name = state.steps.values.lazy.compactMap { $0.output?["organization_data"]?["name"]?.stringValue }.first
        let started = state.startedAt ?? state.updatedAt ?? Date()
        let stopped = state.status.isTerminal || state.status == .waiting
        return RunSubject(runID: state.runID, title: name ?? (ein.map { "EIN \($0)" } ?? state.workflowName), ein: ein,
                          tier: AnalysisTier(workflow: state.workflowName), status: state.status, started: started,
                          duration: stopped ? (state.updatedAt ?? started).timeIntervalSince(started) : nil)
    }
}
