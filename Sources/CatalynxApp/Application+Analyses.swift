import AgentCore
import Foundation
import GrantResearch
import Nonprofit

/// One organization's analysis: the run of a tier's workflow and what it found.
public struct Analysis: Sendable {
    public var ein: EIN
    public var tier: AnalysisTier?
    public var outcome: AnalysisOutcome

    /// The exit code the analysis means.
    public var status: ExitStatus { ExitStatus(outcome.verdict) }

    /// Why the analysis did not end cleanly, in plain words (nil when it did).
    public var problem: String? {
        let name = outcome.organization.map { "\($0.name) (\(ein.formatted))" } ?? ein.formatted
        switch outcome.verdict {
        case .complete: return nil
        case .notFound: return "no organization with EIN \(ein.formatted) in the database"
        case .invalidEIN, .failed: return "the analysis of \(name) failed: \(outcome.error?.message ?? "unknown error")"
        case .noFilings: return "\(name) has no Form 990 filings on record, so its financial metrics and risk were not computed"
        case .gateFailed:
            let failed = outcome.gates.filter { $0.outcome == "failed" && $0.action != "warn" }.map(\.name)
            return "\(name): the quality check\(failed.count == 1 ? "" : "s") \(ListText.joined(failed)) did not pass"
        case .unfinished where outcome.status == .waiting: return "the analysis of \(name) waits for an expert review"
        case .unfinished: return "the analysis of \(name) is \(outcome.status.rawValue)"
        }
    }

    /// The file name an export of this analysis gets: `54-1230284_complete.html`.
    public func fileName(extension fileExtension: String) -> String {
        "\(ein.formatted)_\(tier?.rawValue ?? outcome.workflow).\(fileExtension)"
    }
}

extension CatalynxApplication {
    /// The workflow of a tier.
    public func workflow(for tier: AnalysisTier) throws -> WorkflowDefinition { try workflow(tier.workflowFile) }

    /// The inputs of a tier's run for one EIN.
    public func analysisInputs(_ ein: EIN, _ definition: WorkflowDefinition) throws -> [String: Value] {
        do {
            return try definition.bindInputs([AnalysisTier.einInput: .string(ein.formatted)])
        } catch {
            throw ApplicationError(.badInput, "workflow '\(definition.name)' does not take an EIN: " + error.problems.joined(separator: "; "))
        }
    }

    /// Analyzes one organization: runs the tier's workflow and drives it to its stop in this process.
    /// - Parameter observer: sees each event as it is recorded (the CLI's live progress).
    public func analyze(_ ein: EIN, tier: AnalysisTier, observer: WorkflowEngine.Observer? = nil) async throws -> Analysis {
        let definition = try workflow(for: tier)
        let state = try await driver(role: "cli").run(definition, inputs: try analysisInputs(ein, definition), observer: observer)
        return Analysis(ein: ein, tier: tier, outcome: AnalysisOutcome(state: state, definition: definition))
    }

    /// Analyzes organizations one after another, telling `each` as each ends (in order).
    public func analyze(_ eins: [EIN], tier: AnalysisTier, each: (Int, Analysis) async throws -> Void) async throws {
        _ = try await organizationDatabase()  // the embedded dataset, with its progress, before the first run
        for (index, ein) in eins.enumerated() { try await each(index, try await analyze(ein, tier: tier)) }
    }

    /// Records an analysis without driving it (workers or the server drive it); its run id.
    public func startAnalysis(_ ein: EIN, tier: AnalysisTier) async throws -> String {
        let definition = try workflow(for: tier)
        return try await engine().start(definition, inputs: try analysisInputs(ein, definition))
    }

    /// The analysis a run holds, when its workflow is an analysis (its inputs name an EIN).
    public func analysis(of state: RunState, definition: WorkflowDefinition) -> Analysis? {
        guard let text = state.inputs[AnalysisTier.einInput]?.stringValue, let ein = try? EIN(text) else { return nil }
        return Analysis(ein: ein, tier: AnalysisTier(workflow: state.workflowName), outcome: AnalysisOutcome(state: state, definition: definition))
    }
}
