import AgentLLM
import Nonprofit

/// Everything one analysis found, as one document: what `report_generator_tool` produces and
/// the renderers turn into Markdown or HTML. Sections the tier did not run are nil.
public struct AnalysisReport: Sendable, Hashable, Codable {
    public var reportType: String
    public var organization: OrganizationProfile
    public var summary: AnalysisSummary
    public var dataQuality: DataQuality?
    public var metrics: FinancialMetrics?
    public var risk: RiskAssessment?
    public var peers: PeerComparison?
    public var funders: FunderScoring?
    public var network: OfficerNetwork?
    public var landscape: LandscapeReport?
    public var review: ExpertReview?
    public var content: ContentReport?
    public var narrative: NarrativeReport?
    public var aiReview: AIReviewReport?
    /// Why the top funder might fit (the `research_funder` agent step).
    public var funderResearch: FunderResearch?

    enum CodingKeys: String, CodingKey {
        case reportType = "report_type", organization, summary, dataQuality = "data_quality", metrics, risk, peers, funders, network
        case landscape, review, content, narrative, aiReview = "ai_review", funderResearch = "funder_research"
    }

    /// Assembles the report; the summary is written from the sections unless one is given.
    public init(reportType: String, organization: OrganizationProfile, summary: AnalysisSummary? = nil, dataQuality: DataQuality? = nil,
                metrics: FinancialMetrics? = nil, risk: RiskAssessment? = nil, peers: PeerComparison? = nil, funders: FunderScoring? = nil,
                network: OfficerNetwork? = nil, landscape: LandscapeReport? = nil, review: ExpertReview? = nil,
                content: ContentReport? = nil, narrative: NarrativeReport? = nil, aiReview: AIReviewReport? = nil,
                funderResearch: FunderResearch? = nil) {
        self.reportType = reportType
        self.organization = organization
        self.dataQuality = dataQuality
        self.metrics = metrics
        self.risk = risk
        self.peers = peers
        self.funders = funders
        self.network = network
        self.landscape = landscape
        self.review = review
        self.content = content
        self.narrative = narrative
        self.aiReview = aiReview
        self.funderResearch = funderResearch
        self.summary = summary ?? AnalysisSummary(organization: organization, dataQuality: dataQuality, metrics: metrics, risk: risk,
                                                  peers: peers, funders: funders, network: network)
    }
}

/// Why the top funder might fit: the answer of the `research_funder` agent step, by a model that
/// looked things up (`llm` holds its calls), or from the funder's scores (`ai` false).
public struct FunderResearch: Sendable, Hashable, Codable {
    public var answer: String?
    /// False when written from the scores by `funder_fit_tool`.
    public var ai: Bool?
    /// Turns the agent took.
    public var turns: Int?
    public var llm: [LLMCallRecord]?

    public init(answer: String?, ai: Bool? = nil, turns: Int? = nil, llm: [LLMCallRecord]? = nil) {
        self.answer = answer
        self.ai = ai
        self.turns = turns
        self.llm = llm
    }

    /// Whether a model wrote it.
    public var byModel: Bool { ai != false && llm?.isEmpty == false }
}

/// The NTEE landscape around an organization: its code and its major group in its state, and its
/// code nationwide (the counts are nil when the organization has no NTEE code, and `note` says so).
public struct LandscapeReport: Sendable, Hashable, Codable {
    public var nteeCode: String?
    public var state: String?
    public var sameCodeInState: OrganizationLandscape?
    public var sameGroupInState: OrganizationLandscape?
    public var sameCodeEverywhere: OrganizationLandscape?
    public var note: String?

    enum CodingKeys: String, CodingKey {
        case nteeCode = "ntee_code", state, sameCodeInState = "same_code_in_state", sameGroupInState = "same_group_in_state"
        case sameCodeEverywhere = "same_code_everywhere", note
    }

    /// Counts the landscape in the database.
    public static func survey(_ profile: OrganizationProfile, database: any OrganizationDatabase) async throws -> LandscapeReport {
        guard let code = profile.nteeCode, !code.isEmpty else {
            return LandscapeReport(state: profile.state, note: "the organization has no NTEE code, so its cause's landscape is unknown")
        }
        let code3 = String(code.prefix(3))
        var report = LandscapeReport(nteeCode: code3, state: profile.state)
        if let state = profile.state {
            report.sameCodeInState = try await database.landscape(nteePrefix: code3, state: state)
            report.sameGroupInState = try await database.landscape(nteePrefix: String(code.prefix(1)), state: state)
        }
        report.sameCodeEverywhere = try await database.landscape(nteePrefix: code3, state: nil)
        return report
    }
}

/// A reviewer's verdict on an analysis (the seed's `ExpertValidation`).
public struct ExpertReview: Sendable, Hashable, Codable {
    public var validated: Bool
    public var expertConfidence: Double?
    public var corrections: [String]
    public var additionalInsights: [String]
    public var recommendedNextSteps: [String]
    /// `human_expert`, or `auto_approved` when no reviewer is configured.
    public var validationType: String
    public var reviewer: String?

    enum CodingKeys: String, CodingKey {
        case validated, expertConfidence = "expert_confidence", corrections, additionalInsights = "additional_insights"
        case recommendedNextSteps = "recommended_next_steps", validationType = "validation_type", reviewer
    }

    public init(validated: Bool, expertConfidence: Double?, corrections: [String], additionalInsights: [String],
                recommendedNextSteps: [String], validationType: String, reviewer: String?) {
        self.validated = validated
        self.expertConfidence = expertConfidence
        self.corrections = corrections
        self.additionalInsights = additionalInsights
        self.recommendedNextSteps = recommendedNextSteps
        self.validationType = validationType
        self.reviewer = reviewer
    }
}
