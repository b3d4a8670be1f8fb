import AgentCore

/// What one tier workflow run found, read back from its state by the output aliases every tier
/// shares (`organization_profile`, `data_quality`, `financial_analysis`, `risk_assessment`,
/// `peer_analysis`, `funder_analysis`, `network_analysis`, `landscape`, `summary`, `review`,
/// `final_report`, `exports`): the JSON of `catalynx analyze` and the input of its renderers.
public struct AnalysisOutcome: Sendable {
    /// How an analysis ended, from the user's point of view (each has its own exit code).
    public enum Verdict: String, Sendable {
        /// Completed and every quality gate passed (or only warned).
        case complete
        /// Completed, but the organization has no filings, so no metrics, risk or report.
        case noFilings = "no_filings"
        /// Completed with a failed quality gate.
        case gateFailed = "quality_gate_failed"
        /// The EIN is not in the database.
        case notFound = "not_found"
        /// The EIN is malformed.
        case invalidEIN = "invalid_ein"
        /// The run failed for another reason.
        case failed
        /// The run is waiting, paused or still running.
        case unfinished
    }

    public var runID: String
    public var workflow: String
    public var status: RunStatus
    public var organization: OrganizationProfile?
    public var dataQuality: DataQuality?
    public var metrics: FinancialMetrics?
    public var risk: RiskAssessment?
    public var peers: PeerComparison?
    public var funders: FunderScoring?
    public var network: OfficerNetwork?
    public var landscape: LandscapeReport?
    public var summary: AnalysisSummary?
    public var review: ExpertReview?
    public var report: AnalysisReport?
    public var content: ContentReport?
    public var narrative: NarrativeReport?
    public var aiReview: AIReviewReport?
    /// Why the top funder might fit (the complete tier's `research_funder` agent step).
    public var funderResearch: FunderResearch?
    /// Every model call of the run: those of the content analysis, the narrative, the data review and the funder research.
    public var llmUsage: AIUsage
    public var exports: [String]?
    /// The folder the exports were written into.
    public var exportDirectory: String?
    public var gates: [(name: String, outcome: String, action: String, detail: String)]
    public var skipped: [(step: String, reason: String)]
    /// The error that failed the run: its type (`NotFound`, `InvalidInput`, …) and message.
    public var error: (type: String, message: String)?
    /// Each step's duration in milliseconds.
    public var durations: [String: Double]

    /// Reads the outcome from a run's state.
    public init(state: RunState, definition: WorkflowDefinition) {
        /// The value an output alias or a step's name gives.
        func section<T: Decodable>(_ alias: String, as type: T.Type) -> T? {
            guard definition.step(providingAlias: alias) != nil || definition.step(named: alias) != nil, let value = state.resolve([alias], in: definition) else { return nil }
            return try? value.decode(T.self)
        }
        runID = state.runID
        workflow = state.workflowName
        status = state.status
        organization = section("organization_profile", as: OrganizationProfile.self)
        dataQuality = section("data_quality", as: DataQuality.self)
        metrics = section("financial_analysis", as: FinancialMetrics.self)
        risk = section("risk_assessment", as: RiskAssessment.self)
        peers = section("peer_analysis", as: PeerComparison.self)
        funders = section("funder_analysis", as: FunderScoring.self)
        network = section("network_analysis", as: OfficerNetwork.self)
        landscape = section("landscape", as: LandscapeReport.self)
        summary = section("summary", as: AnalysisSummary.self)
        review = section("review", as: ExpertReview.self)
        report = section("final_report", as: AnalysisReport.self)
        content = section("content_analysis", as: ContentReport.self)
        narrative = section("narrative", as: NarrativeReport.self)
        aiReview = section("ai_review", as: AIReviewReport.self)
        funderResearch = section("research_funder", as: FunderResearch.self)
        llmUsage = AIUsage(calls: [content?.provenance, narrative?.provenance, aiReview?.provenance].flatMap { $0?.usage.calls ?? [] }
                               + (funderResearch?.llm ?? []))
        exports = section("exports", as: [String].self)
        exportDirectory = definition.step(providingAlias: "exports").flatMap { state.step($0.name).output?.value(atPath: ["directory"]) }
            .flatMap { if case .string(let path) = $0 { path } else { nil } }
        gates = state.gates.sorted { $0.key < $1.key }.map { (name: $0.key, outcome: $0.value.outcome.rawValue, action: $0.value.action, detail: $0.value.detail) }
        skipped = definition.steps.compactMap { step in
            let state = state.step(step.name)
            return state.status == .skipped ? (step: step.name, reason: state.skipReason ?? "skipped") : nil
        }
        let failedStep = definition.steps.lazy.map { state.step($0.name) }.first { $0.status == .failed && !$0.errors.isEmpty }
        if state.status == .failed || state.status == .cancelled {
            let last = failedStep?.errors.last
            error = (type: last?.type ?? state.status.rawValue, message: last?.message ?? state.failureReason ?? "the run \(state.status.rawValue)")
        }
        var durations: [String: Double] = [:]
        for step in definition.steps {
            let state = state.step(step.name)
            if let start = state.startedAt, let end = state.finishedAt { durations[step.name] = (end.timeIntervalSince(start) * 100_000).rounded() / 100 }
        }
        self.durations = durations
    }

    /// How the analysis ended.
    public var verdict: Verdict {
        switch status {
        case .failed, .cancelled:
            switch error?.type {
            case "NotFound": return .notFound
            case "InvalidInput" where (error?.message ?? "").contains("not a valid EIN"): return .invalidEIN
            default: return .failed
            }
        case .completed:
            if let organization, organization.filings.isEmpty { return .noFilings }
            if gates.contains(where: { $0.outcome == "failed" && $0.action != "warn" }) { return .gateFailed }
            return .complete
        case .pending, .running, .paused, .waiting:
            return .unfinished
        }
    }

    /// The report: the one the workflow generated, else one assembled from the sections the run has
    /// (so that a run whose report step was skipped still renders what it found).
    public var renderableReport: AnalysisReport? {
        if let report { return report }
        guard let organization else { return nil }
        return AnalysisReport(reportType: workflow, organization: organization, summary: summary, dataQuality: dataQuality, metrics: metrics,
                              risk: risk, peers: peers, funders: funders, network: network, landscape: landscape, review: review,
                              content: content, narrative: narrative, aiReview: aiReview, funderResearch: funderResearch)
    }

    /// What the run adds to a rendered report.
    public var runInfo: ReportRenderer.RunInfo {
        ReportRenderer.RunInfo(runID: runID, workflow: workflow, status: status.rawValue, gates: gates, skipped: skipped)
    }

    /// One JSON object: run id, status, verdict, every section by its snake_case name, quality gates, skipped steps, error.
    public func json(ein: String) -> Value {
        var object: [String: Value] = [
            "ein": .string(ein), "run_id": .string(runID), "workflow": .string(workflow), "status": .string(status.rawValue),
            "verdict": .string(verdict.rawValue),
            "quality_gates": .object(Dictionary(uniqueKeysWithValues: gates.map {
                ($0.name, ["outcome": .string($0.outcome), "action": .string($0.action), "detail": .string($0.detail)] as Value)
            })),
            "skipped_steps": .array(skipped.map { ["step": .string($0.step), "reason": .string($0.reason)] as Value }),
            "step_durations_ms": .object(durations.mapValues(Value.double)),
        ]
        func put<T: Encodable>(_ key: String, _ value: T?) {
            if let value, let encoded = try? Value(encoding: value) { object[key] = encoded }
        }
        put("organization", organization)
        put("data_quality", dataQuality)
        put("metrics", metrics)
        put("risk", risk)
        put("peers", peers)
        put("funders", funders)
        put("network", network)
        put("landscape", landscape)
        put("summary", summary)
        put("review", review)
        put("content", content)
        put("narrative", narrative)
        put("ai_review", aiReview)
        put("funder_research", funderResearch)
        put("llm_usage", llmUsage)
        put("exports", exports)
        put("export_directory", exportDirectory)
        if let error { object["error"] = ["type": .string(error.type), "message": .string(error.message)] }
        return .object(object)
    }
}
