import AgentCore
import Nonprofit

/// The grant-research tools, under the seed's names.
public enum GrantResearchTools {
    /// Registers every grant-research tool.
    /// - Parameters:
    ///   - registry: the registry to add to.
    ///   - source: the organization database the data tools read.
    ///   - exportsDirectory: where `data_exporter_tool` writes (a folder per run).
    ///   - proPublica: a client for `propublica_990_fetcher_tool` to fetch filings the database lacks; nil keeps it offline.
    ///   - ai: the AI functions (`baml_src`) and their clients; without them the AI tools degrade to rules.
    ///   - reviewers: who may answer expert reviews; empty: reviews approve automatically.
    public static func register(in registry: inout ToolRegistry, source: OrganizationSource, exportsDirectory: String,
                                proPublica: ProPublicaClient? = nil, ai: AIServices = .none("no AI configured"), reviewers: [String] = []) {
        registry.register(EINValidatorTool())
        registry.register(BMFDataFetcherTool(source: source))
        registry.register(ProPublica990FetcherTool(source: source, client: proPublica))
        registry.register(DataNormalizerTool())
        registry.register(DataValidatorTool(ai: ai))
        registry.register(FinancialMetricsCalculatorTool())
        registry.register(RiskScoreCalculatorTool())
        registry.register(PeerSimilarityCalculatorTool(source: source))
        registry.register(OpportunityScorerTool(source: source))
        registry.register(NetworkAnalyzerTool(source: source))
        registry.register(LandscapeAnalyzerTool(source: source))
        registry.register(FunderProfileTool(source: source))
        registry.register(OfficerNetworkTool(source: source))
        registry.register(FunderFitTool())
        registry.register(SummaryGeneratorTool(ai: ai))
        registry.register(AIContentAnalyzerTool(ai: ai))
        registry.register(ReportGeneratorTool())
        registry.register(ChartGeneratorTool())
        registry.register(DataExporterTool(exportsDirectory: exportsDirectory))
        registry.register(ExpertValidatorTool(reviewers: reviewers))
    }
}
