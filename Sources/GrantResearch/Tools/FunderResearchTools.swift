import AgentCore
import Foundation
import Nonprofit

/// `funder_profile_tool`: what a grantmaker has funded (the answer of `catalynx funders show`).
public struct FunderProfileTool: Tool {
    public struct Input: Codable, Sendable { public var ein: String }
    public struct Output: Codable, Sendable { public var profile: FunderProfile }

    let source: OrganizationSource
    public init(source: OrganizationSource) { self.source = source }
    public let name = "funder_profile_tool"
    public let description = "What a grantmaker has funded: its grants by year, its largest recipients, its causes and places, its grant sizes."
    public var estimatedDuration: Double { 0.02 }

    public func execute(_ input: Input, context: ToolContext) async throws -> Output {
        let ein = try EIN.toolInput(input.ein)
        guard let profile = try await FunderProfile.load(ein, database: try await source.database()) else {
            throw ToolError("NotFound", "no organization with EIN \(ein.formatted) in the database")
        }
        return Output(profile: profile)
    }
}

/// `officer_network_tool`: the officers an organization shares with others, by EIN.
public struct OfficerNetworkTool: Tool {
    public struct Input: Codable, Sendable { public var ein: String }
    public struct Output: Codable, Sendable { public var network: OfficerNetwork }

    let source: OrganizationSource
    public init(source: OrganizationSource) { self.source = source }
    public let name = "officer_network_tool"
    public let description = "The officers and directors of an organization (by EIN) and the other organizations that list them too."
    public var estimatedDuration: Double { 0.02 }

    public func execute(_ input: Input, context: ToolContext) async throws -> Output {
        let profile = try await source.profile(try EIN.toolInput(input.ein))
        return Output(network: try await OfficerNetwork.analyze(profile, database: try await source.database()))
    }
}

/// `funder_fit_tool`: why a scored funder might fit the organization, in words, from its scores
/// alone (what the `research_funder` agent step says when no model is available).
public struct FunderFitTool: Tool {
    public struct Input: Codable, Sendable {
        public var organizationName: String
        public var organizationEIN: String
        public var funder: FunderScoring.Funder
        enum CodingKeys: String, CodingKey { case organizationName = "organization_name", organizationEIN = "organization_ein", funder }
    }
    public struct Output: Codable, Sendable {
        public var answer: String
        public var organizationEIN: String
        public var funderEIN: String
        /// False: written from the scores, not by a model.
        public var ai: Bool
        enum CodingKeys: String, CodingKey { case answer, organizationEIN = "organization_ein", funderEIN = "funder_ein", ai }
    }

    public init() {}
    public let name = "funder_fit_tool"
    public let description = "Says why a scored funder might fit the organization, from the strongest and weakest parts of its score."
    public var estimatedDuration: Double { 0 }

    public func execute(_ input: Input, context: ToolContext) async throws -> Output {
        Output(answer: Self.explain(input.funder, for: input.organizationName), organizationEIN: input.organizationEIN, funderEIN: input.funder.ein, ai: false)
    }

    /// `NAME (CITY, ST) scores 0.62 of 1, above the 0.5 bar. In its favour: …. Against it: ….`
    static func explain(_ funder: FunderScoring.Funder, for organization: String) -> String {
        let place = [funder.city, funder.state].compactMap { $0 }.joined(separator: ", ")
        let bar = funder.passes ? "above" : "below"
        var sentences = ["\(funder.name)\(place.isEmpty ? "" : " (\(place))") scores \(String(format: "%.2f", funder.score)) of 1 as a funder of \(organization), \(bar) the \(String(format: "%.1f", FunderModel.passThreshold)) bar."]
        if let grant = funder.pastGrants.max(by: { $0.amount < $1.amount }) {
            sentences.append("It has funded \(organization) before: $\(grant.amount.formatted()) in FY\(grant.taxYear)\(grant.purpose.map { " for \($0)" } ?? "").")
        }
        if funder.hasGivingHistory {
            sentences.append("What it funds: \(funder.profileSummary).")
        } else {
            sentences.append("It has no grants on record, so this rests on its IRS codes, place and size alone.")
        }
        let ranked = funder.dimensions.filter { $0.weight > 0 }.sorted { $0.score * $0.weight > $1.score * $1.weight }
        if let strong = reasons(ranked.filter { $0.score > 0.5 }.prefix(3)) { sentences.append("In its favour: \(strong).") }
        if let weak = reasons(ranked.reversed().filter { $0.score < 0.3 }.prefix(2)) { sentences.append("Against it: \(weak).") }
        if let caveat = funder.caveat { sentences.append(caveat) }
        return sentences.joined(separator: " ")
    }

    /// `cause: …; place: …`, each explanation once.
    private static func reasons(_ dimensions: some Sequence<FunderScoring.Dimension>) -> String? {
        var seen: Set<String> = []
        let parts = dimensions.filter { seen.insert($0.explanation).inserted }
            .map { "\(labels[$0.name] ?? $0.name) (\($0.explanation))" }
        return parts.isEmpty ? nil : parts.joined(separator: "; ")
    }

    private static let labels = [
        "cause": "its causes", "place": "where it gives", "grant_size": "its grant sizes", "peers": "its grants to similar organizations",
        "recency": "how recently it gave", "openness": "its openness to new grantees", "capacity": "its size",
    ]
}
