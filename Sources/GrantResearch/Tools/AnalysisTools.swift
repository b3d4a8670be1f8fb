import AgentCore
import Foundation
import Nonprofit

/// `financial_metrics_calculator_tool`: the financial-health metrics of every filing year.
public struct FinancialMetricsCalculatorTool: Tool {
    public struct Input: Codable, Sendable { public var organization: OrganizationProfile }
    public struct Output: Codable, Sendable {
        public var metrics: FinancialMetrics
        public var yearsAnalyzed: Int
        enum CodingKeys: String, CodingKey { case metrics, yearsAnalyzed = "years_analyzed" }
    }

    public init() {}
    public let name = "financial_metrics_calculator_tool"
    public let description = "Computes expense ratios, reserves, leverage, margin, growth, dependence and concentration per filing year."
    public var estimatedDuration: Double { 0 }

    public func execute(_ input: Input, context: ToolContext) async throws -> Output {
        guard !input.organization.filings.isEmpty else {
            throw ToolError("InsufficientData", "\(input.organization.name) (\(input.organization.ein)) has no filings on record to compute metrics from")
        }
        let metrics = FinancialMetrics(filings: input.organization.filings)
        return Output(metrics: metrics, yearsAnalyzed: metrics.years.count)
    }
}

/// `risk_score_calculator_tool`: the six-dimension risk score.
public struct RiskScoreCalculatorTool: Tool {
    public struct Input: Codable, Sendable {
        public var organization: OrganizationProfile
        public var financialMetrics: FinancialMetrics
        public var dataQuality: DataQuality?
        public var asOfYear: Int?
        enum CodingKeys: String, CodingKey {
            case organization, financialMetrics = "financial_metrics", dataQuality = "data_quality", asOfYear = "as_of_year"
        }
    }
    public struct Output: Codable, Sendable {
        public var riskData: RiskAssessment
        enum CodingKeys: String, CodingKey { case riskData = "risk_data" }
    }

    public init() {}
    public let name = "risk_score_calculator_tool"
    public let description = "Scores financial risk 0–100 over six weighted dimensions, each with its evidence, and a confidence."
    public var estimatedDuration: Double { 0 }

    public func execute(_ input: Input, context: ToolContext) async throws -> Output {
        // The data-quality check of the same profile when none is given, so that every tier scores the same data alike.
        let quality = input.dataQuality ?? DataQuality(profile: input.organization, currentYear: input.asOfYear ?? CurrentYear.value)
        return Output(riskData: RiskAssessment(metrics: input.financialMetrics, dataQuality: quality))
    }
}

/// `peer_similarity_calculator_tool`: peers by cause, place and size, and percentile ranks among them.
public struct PeerSimilarityCalculatorTool: Tool {
    public struct Input: Codable, Sendable {
        public var organization: OrganizationProfile
        public var financialMetrics: FinancialMetrics?
        public var maxPeers: Int?
        enum CodingKeys: String, CodingKey { case organization, financialMetrics = "financial_metrics", maxPeers = "max_peers" }
    }
    public struct Output: Codable, Sendable {
        public var peers: PeerComparison
    }

    let source: OrganizationSource
    public init(source: OrganizationSource) { self.source = source }
    public let name = "peer_similarity_calculator_tool"
    public let description = "Finds peers (same NTEE code or group, state, revenue band) and ranks the organization's metrics among them."
    public var estimatedDuration: Double { 0.02 }

    public func execute(_ input: Input, context: ToolContext) async throws -> Output {
        Output(peers: try await PeerComparison.compare(input.organization, metrics: input.financialMetrics, database: try await source.database(),
                                                       maxPeers: max(1, min(input.maxPeers ?? 25, 200))))
    }
}

/// `opportunity_scorer_tool`: candidate funders scored with the 990-PF composite.
public struct OpportunityScorerTool: Tool {
    public struct Input: Codable, Sendable {
        public var organization: OrganizationProfile
        public var peers: PeerComparison?
        /// How many of the best funders to return (default 25).
        public var limit: Int?
        /// The mark of a good fit (default `FunderModel.passThreshold`, 0.5).
        public var threshold: Double?
        public var asOfYear: Int?
        enum CodingKeys: String, CodingKey { case organization, peers, limit, threshold, asOfYear = "as_of_year" }
    }
    public struct Output: Codable, Sendable {
        public var funders: FunderScoring
    }

    let source: OrganizationSource
    public init(source: OrganizationSource) { self.source = source }
    public let name = "opportunity_scorer_tool"
    public let description = "Scores every grantmaker on record as a funder by what, where and how much it has funded (past funders first)."
    public var estimatedDuration: Double { 0.05 }

    public func execute(_ input: Input, context: ToolContext) async throws -> Output {
        if let threshold = input.threshold, !(0...1).contains(threshold) {
            throw ToolError("InvalidInput", "threshold must be between 0 and 1, got \(threshold)")
        }
        return Output(funders: try await FunderScoring.score(
            input.organization, peers: input.peers, database: try await source.database(), currentYear: input.asOfYear ?? CurrentYear.value,
            limit: max(1, min(input.limit ?? 25, 1000)), threshold: input.threshold ?? FunderModel.passThreshold))
    }
}

/// `network_analyzer_tool`: officers and directors shared with other organizations.
public struct NetworkAnalyzerTool: Tool {
    public struct Input: Codable, Sendable { public var organization: OrganizationProfile }
    public struct Output: Codable, Sendable { public var network: OfficerNetwork }

    let source: OrganizationSource
    public init(source: OrganizationSource) { self.source = source }
    public let name = "network_analyzer_tool"
    public let description = "Lists the officers and directors (990 Part VII) and the other organizations that list them too."
    public var estimatedDuration: Double { 0.01 }

    public func execute(_ input: Input, context: ToolContext) async throws -> Output {
        Output(network: try await OfficerNetwork.analyze(input.organization, database: try await source.database()))
    }
}

/// `landscape_analyzer_tool`: how many organizations share the cause, in the state and nationwide.
public struct LandscapeAnalyzerTool: Tool {
    public struct Input: Codable, Sendable { public var organization: OrganizationProfile }
    public struct Output: Codable, Sendable { public var landscape: LandscapeReport }

    let source: OrganizationSource
    public init(source: OrganizationSource) { self.source = source }
    public let name = "landscape_analyzer_tool"
    public let description = "Counts organizations, foundations and filers of the same NTEE code and group in the state and everywhere."
    public var estimatedDuration: Double { 0.02 }

    public func execute(_ input: Input, context: ToolContext) async throws -> Output {
        Output(landscape: try await LandscapeReport.survey(input.organization, database: try await source.database()))
    }
}
