/// The depths of analysis Catalynx offers, each a workflow of `workflows/<tier>_tier.yaml`.
public enum AnalysisTier: String, Sendable, CaseIterable, Codable {
    case current, standard, enhanced, complete

    /// The workflow file's name (without `.yaml`).
    public var workflowFile: String { "\(rawValue)_tier" }

    /// `Standard`.
    public var label: String { rawValue.prefix(1).uppercased() + rawValue.dropFirst() }

    /// What the tier adds, for `--help`, forms and MCP.
    public var summary: String {
        switch self {
        case .current: "profile, data quality, financial metrics, risk and a report"
        case .standard: "adds multi-year trends, peers and funders"
        case .enhanced: "adds the officer network and an expert review"
        case .complete: "adds the full funder list, the cause's landscape, charts and exports"
        }
    }

    /// The tier whose workflow has this name (`standard_tier_analysis`) or file name (`standard_tier`).
    public init?(workflow: String) {
        guard let tier = Self.allCases.first(where: { workflow == $0.workflowFile || workflow == "\($0.workflowFile)_analysis" }) else { return nil }
        self = tier
    }

    /// The workflow input every tier takes the organization's EIN in.
    public static let einInput = "organization_ein"
}
