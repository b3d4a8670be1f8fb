import AgentCore
import AgentSchema
import Foundation
import Nonprofit

/// `summary_generator_tool`: the analysis in a headline, findings, recommendations and limitations.
public struct SummaryGeneratorTool: Tool {
    public struct Input: Codable, Sendable {
        public var organization: OrganizationProfile
        public var dataQuality: DataQuality?
        public var financialAnalysis: FinancialMetrics?
        public var riskAssessment: RiskAssessment?
        public var peers: PeerComparison?
        public var funders: FunderScoring?
        public var network: OfficerNetwork?
        /// Ask a model for a narrative too (`WriteNarrative`).
        public var narrative: Bool?
        enum CodingKeys: String, CodingKey {
            case organization, dataQuality = "data_quality", financialAnalysis = "financial_analysis", riskAssessment = "risk_assessment"
            case peers, funders, network, narrative
        }
    }
    public struct Output: Codable, Sendable {
        public var summary: AnalysisSummary
        public var narrative: NarrativeReport
    }

    let ai: AIServices
    public init(ai: AIServices) { self.ai = ai }
    public let name = "summary_generator_tool"
    public let description = "Writes the headline, findings, recommendations and limitations by rules, and an AI narrative when asked and configured."
    public var estimatedDuration: Double { ai.isConfigured ? 5 : 0 }

    public func execute(_ input: Input, context: ToolContext) async throws -> Output {
        let summary = AnalysisSummary(organization: input.organization, dataQuality: input.dataQuality, metrics: input.financialAnalysis,
                                      risk: input.riskAssessment, peers: input.peers, funders: input.funders, network: input.network)
        guard input.narrative == true else {
            return Output(summary: summary, narrative: NarrativeReport(narrative: nil, provenance: AIProvenance(
                ai: false, degraded: false, reason: "no narrative was asked for", model: nil, usage: AIUsage(calls: []))))
        }
        let outcome = await ai.call("WriteNarrative", [
            "organization": .string("\(input.organization.name) (\(input.organization.ein)), \(summary.headline)"),
            "findings": .list((summary.keyFindings + summary.limitations).map(BAMLValue.string)),
            "risk": input.riskAssessment.map { .string("\(Int($0.score))/100, \($0.level), confidence \($0.confidence)") } ?? .null,
        ], as: Narrative.self)
        return Output(summary: summary, narrative: NarrativeReport(narrative: outcome.value, provenance: .from(outcome)))
    }
}

/// `report_generator_tool`: every section of the analysis as one report document.
public struct ReportGeneratorTool: Tool {
    public struct Input: Codable, Sendable {
        public var reportType: String
        public var organization: OrganizationProfile
        public var summary: AnalysisSummary?
        public var dataQuality: DataQuality?
        public var financialAnalysis: FinancialMetrics?
        public var riskAssessment: RiskAssessment?
        public var peers: PeerComparison?
        public var funders: FunderScoring?
        public var network: OfficerNetwork?
        public var landscape: LandscapeReport?
        public var review: ExpertReview?
        public var content: ContentReport?
        public var narrative: NarrativeReport?
        public var aiReview: AIReviewReport?
        public var funderResearch: FunderResearch?
        enum CodingKeys: String, CodingKey {
            case reportType = "report_type", organization, summary, dataQuality = "data_quality", financialAnalysis = "financial_analysis"
            case riskAssessment = "risk_assessment", peers, funders, network, landscape, review, content, narrative, aiReview = "ai_review"
            case funderResearch = "funder_research"
        }
    }
    public struct Output: Codable, Sendable { public var report: AnalysisReport }

    public init() {}
    public let name = "report_generator_tool"
    public let description = "Assembles the analysis report (rendered as HTML with charts, Markdown or JSON by `catalynx analyze`)."
    public var estimatedDuration: Double { 0 }

    public func execute(_ input: Input, context: ToolContext) async throws -> Output {
        Output(report: AnalysisReport(
            reportType: input.reportType, organization: input.organization, summary: input.summary, dataQuality: input.dataQuality,
            metrics: input.financialAnalysis, risk: input.riskAssessment, peers: input.peers, funders: input.funders,
            network: input.network, landscape: input.landscape, review: input.review, content: input.content, narrative: input.narrative,
            aiReview: input.aiReview, funderResearch: input.funderResearch))
    }
}

/// `chart_generator_tool`: the report's charts as standalone SVG documents.
public struct ChartGeneratorTool: Tool {
    public struct Input: Codable, Sendable { public var report: AnalysisReport }
    public struct Output: Codable, Sendable {
        /// Chart name → SVG.
        public var charts: [String: String]
    }

    public init() {}
    public let name = "chart_generator_tool"
    public let description = "Draws revenue and expenses, the expense split, risk, peer percentiles and funder scores as SVG."
    public var estimatedDuration: Double { 0 }

    public func execute(_ input: Input, context: ToolContext) async throws -> Output {
        Output(charts: Charts.all(for: input.report))
    }
}

/// `data_exporter_tool`: the report as JSON, the metrics and funders as CSV, the charts as SVG files,
/// written into one folder per run under the exports directory.
public struct DataExporterTool: Tool {
    public struct Input: Codable, Sendable {
        public var report: AnalysisReport
        public var charts: [String: String]?
    }
    public struct Output: Codable, Sendable {
        public var directory: String
        public var files: [String]
    }

    /// Where exports go: `<exports>/<run id>/`.
    let exportsDirectory: String
    public init(exportsDirectory: String) { self.exportsDirectory = exportsDirectory }
    public let name = "data_exporter_tool"
    public let description = "Writes report.json, metrics.csv, funders.csv and the SVG charts into the run's export folder."
    public var estimatedDuration: Double { 0.02 }

    public func execute(_ input: Input, context: ToolContext) async throws -> Output {
        let directory = (exportsDirectory as NSString).appendingPathComponent(context.runID)
        var files: [(String, String)] = [
            ("report.json", try Value(encoding: input.report).jsonString(pretty: true)),
            ("metrics.csv", CSVExport.metrics(input.report.metrics)),
        ]
        if let funders = input.report.funders { files.append(("funders.csv", CSVExport.funders(funders))) }
        for (name, svg) in (input.charts ?? [:]).sorted(by: { $0.key < $1.key }) { files.append(("\(name).svg", svg)) }
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            // Each file is written whole through a temporary file and a rename, so a re-run of the
            // same attempt overwrites the same files and a crash never leaves half a file.
            for (name, contents) in files {
                try contents.write(toFile: (directory as NSString).appendingPathComponent(name), atomically: true, encoding: .utf8)
            }
        } catch {
            throw ToolError("WriteFailed", "cannot write the exports into \(directory): \(error.localizedDescription)", retryable: true)
        }
        return Output(directory: directory, files: files.map { ($0.0) })
    }
}

/// `expert_validator_tool`: asks a human expert to validate the analysis (the seed's Phase 4.2).
/// With reviewers configured the run waits, durably, for their answer; without any it approves
/// automatically and says so.
public struct ExpertValidatorTool: Tool {
    public struct Input: Codable, Sendable {
        public var organizationName: String
        /// The organization's EIN, shown beside its name.
        public var organizationEIN: String?
        /// What is reviewed: a tier's report type (`enhanced_tier`) or any words.
        public var analysisType: String?
        public var findings: [String]?
        public var riskLevel: String?
        /// How long to wait for an answer (default a week).
        public var timeoutSeconds: Double?
        /// `proceed_with_ai` (continue, marked unvalidated) or `fail`.
        public var fallbackStrategy: String?
        enum CodingKeys: String, CodingKey {
            case organizationName = "organization_name", organizationEIN = "organization_ein", analysisType = "analysis_type", findings
            case riskLevel = "risk_level"
            case timeoutSeconds = "timeout_s", fallbackStrategy = "fallback_strategy"
        }
    }
    public struct Output: Codable, Sendable { public var review: ExpertReview }

    /// Who may answer; empty: nobody is configured and reviews approve automatically.
    let reviewers: [String]
    public init(reviewers: [String] = []) { self.reviewers = reviewers }
    public let name = "expert_validator_tool"
    public let description = "Asks a human expert to validate the analysis and waits for the answer; approves automatically when no reviewer is configured."
    public var estimatedDuration: Double { 0 }

    public func execute(_ input: Input, context: ToolContext) async throws -> Output {
        guard !reviewers.isEmpty else {
            return Output(review: ExpertReview(
                validated: true, expertConfidence: nil, corrections: [], additionalInsights: [],
                recommendedNextSteps: ["Have a reviewer check the \(input.riskLevel ?? "unscored") risk rating of \(input.organizationName) before sharing the report."],
                validationType: "auto_approved", reviewer: nil))
        }
        guard let answer = context.humanResponse else {
            let fallback = HumanInputRequest.Fallback(rawValue: input.fallbackStrategy ?? "proceed_with_ai") ?? .proceedWithAI
            let analysis = input.analysisType.map { $0.hasSuffix("_tier") ? "\($0.dropLast(5)) analysis" : $0 } ?? "analysis"
            let organization = input.organizationName + (input.organizationEIN.map { " (EIN \($0))" } ?? "")
            throw HumanInputRequest(request: [
                "question": .string("Please review the \(analysis) of \(organization) before its report is shared: "
                                    + "approve it if the findings below are right, or reject it with a comment saying what is wrong."),
                "organization": .string(input.organizationName), "organization_ein": input.organizationEIN.map(Value.string) ?? .null,
                "analysis": .string(analysis), "risk_level": input.riskLevel.map(Value.string) ?? .null,
                "findings": .array((input.findings ?? []).map(Value.string)), "choices": ["approve", "reject"],
                "reviewers": .array(reviewers.map(Value.string)), "urgency": "normal",
            ], timeout: input.timeoutSeconds ?? 7 * 24 * 3600, fallback: fallback)
        }
        if answer["timed_out"] == true {
            return Output(review: ExpertReview(
                validated: false, expertConfidence: nil, corrections: [], additionalInsights: [],
                recommendedNextSteps: ["No reviewer answered in time: treat the findings as unvalidated."],
                validationType: "timeout_unvalidated", reviewer: nil))
        }
        let decision = answer["decision"]?.stringValue ?? "approve"
        return Output(review: ExpertReview(
            validated: decision == "approve", expertConfidence: answer["confidence"]?.numberValue,
            corrections: (answer["corrections"]?.arrayValue ?? []).compactMap(\.stringValue),
            additionalInsights: answer["comment"]?.stringValue.map { [$0] } ?? [],
            recommendedNextSteps: decision == "approve" ? [] : ["The reviewer rejected the findings: revisit them before sharing the report."],
            validationType: "human_expert", reviewer: answer["reviewer"]?.stringValue))
    }
}
