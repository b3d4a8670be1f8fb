import AgentCore
import AgentSchema
import Foundation
import Nonprofit

/// `ein_validator_tool`: checks and formats an EIN.
public struct EINValidatorTool: Tool {
    public struct Input: Codable, Sendable { public var ein: String }
    public struct Output: Codable, Sendable {
        public var formattedEIN: String
        public var digits: String
        public var valid: Bool
        enum CodingKeys: String, CodingKey { case formattedEIN = "formatted_ein", digits, valid }
    }

    public init() {}
    public let name = "ein_validator_tool"
    public let description = "Checks an EIN (nine digits, a prefix the IRS assigns) and formats it XX-XXXXXXX."
    public var estimatedDuration: Double { 0 }

    public func execute(_ input: Input, context: ToolContext) async throws -> Output {
        do {
            let ein = try EIN(input.ein)
            return Output(formattedEIN: ein.formatted, digits: ein.digits, valid: true)
        } catch {
            throw ToolError("InvalidInput", error.description)
        }
    }
}

/// `bmf_data_fetcher_tool`: the organization's BMF identity and its filings from the database.
public struct BMFDataFetcherTool: Tool {
    public struct Input: Codable, Sendable {
        public var ein: String
        /// Fields that should not be empty; those that are are listed in `missing_fields`.
        public var requiredFields: [String]?
        enum CodingKeys: String, CodingKey { case ein, requiredFields = "required_fields" }
    }
    public struct Output: Codable, Sendable {
        public var organizationData: OrganizationProfile
        enum CodingKeys: String, CodingKey { case organizationData = "organization_data" }
    }

    let source: OrganizationSource
    public init(source: OrganizationSource) { self.source = source }
    public let name = "bmf_data_fetcher_tool"
    public let description = "Looks an organization up in the IRS Business Master File (and its filings on record)."
    public var estimatedDuration: Double { 0.01 }

    public func execute(_ input: Input, context: ToolContext) async throws -> Output {
        var profile = try await source.profile(try EIN.toolInput(input.ein))
        let unknown = (input.requiredFields ?? []).filter { !OrganizationProfile.fieldNames.contains($0) }
        guard unknown.isEmpty else {
            throw ToolError("InvalidInput", "unknown required_fields \(unknown.joined(separator: ", ")); known: \(OrganizationProfile.fieldNames.joined(separator: ", "))")
        }
        profile.missingFields = (input.requiredFields ?? []).filter { profile.field($0) == nil }
        return Output(organizationData: profile)
    }
}

/// `propublica_990_fetcher_tool`: the organization's Form 990 filings, from the database or,
/// when online fetching is enabled and none are on record, from the ProPublica API.
public struct ProPublica990FetcherTool: Tool {
    public struct Input: Codable, Sendable { public var ein: String }
    public struct Output: Codable, Sendable {
        public var filings: [Filing]
        /// `database`, `propublica_api` or `none`.
        public var origin: String
        public var years: [Int]
    }

    let source: OrganizationSource
    /// The ProPublica client, when online fetching is allowed (nil: database only).
    let client: ProPublicaClient?
    public init(source: OrganizationSource, client: ProPublicaClient?) {
        self.source = source
        self.client = client
    }
    public let name = "propublica_990_fetcher_tool"
    public let description = "Gets an organization's Form 990 filings: from the database, else (when enabled) from ProPublica."
    public var estimatedDuration: Double { client == nil ? 0.01 : 2 }

    public func execute(_ input: Input, context: ToolContext) async throws -> Output {
        let ein = try EIN.toolInput(input.ein)
        let database = try await source.database()
        var filings = try await database.filings(ein)
        var origin = filings.isEmpty ? "none" : "database"
        if filings.isEmpty, let client {
            do {
                let response = try await client.organization(ein)
                filings = try await ProPublicaImporter(database: database).importResponse(response.data, source: "propublica:\(ein.digits)").filings
                origin = "propublica_api"
            } catch let error as ProPublicaClient.FetchError {
                if case .notFound = error { return Output(filings: [], origin: "none", years: []) }
                throw ToolError("Upstream", error.description, retryable: true)
            }
        }
        filings.sort { $0.taxPeriod > $1.taxPeriod }
        return Output(filings: filings, origin: origin, years: filings.map(\.taxYear))
    }
}

/// `data_normalizer_tool`: one consistent profile from the fetched pieces.
public struct DataNormalizerTool: Tool {
    public struct Input: Codable, Sendable {
        public var organization: OrganizationProfile
        /// Filings fetched separately (merged with those in the profile, one per tax period).
        public var filings: [Filing]?
    }
    public struct Output: Codable, Sendable {
        public var organizationData: OrganizationProfile
        /// What was changed, in words.
        public var changes: [String]
        enum CodingKeys: String, CodingKey { case organizationData = "organization_data", changes }
    }

    public init() {}
    public let name = "data_normalizer_tool"
    public let description = "Merges filings by tax period (one filing with every source's figures), title-cases all-capital names and trims ZIP codes to five digits."
    public var estimatedDuration: Double { 0 }

    public func execute(_ input: Input, context: ToolContext) async throws -> Output {
        var profile = input.organization
        var byPeriod: [Int: Filing] = [:]
        for filing in profile.filings + (input.filings ?? []) {
            byPeriod[filing.taxPeriod] = byPeriod[filing.taxPeriod].map { Self.merge($0, filing) } ?? filing
        }
        let merged = byPeriod.values.sorted { $0.taxPeriod > $1.taxPeriod }
        var changes: [String] = []
        if merged.count != profile.filings.count { changes.append("merged filings: \(profile.filings.count) → \(merged.count) tax periods") }
        profile.filings = merged
        changes += profile.normalize()
        return Output(organizationData: profile, changes: changes)
    }

    /// One filing from two of the same period: the values of the first, its gaps filled from the second, both sources.
    static func merge(_ first: Filing, _ second: Filing) -> Filing {
        guard first != second, case .object(var values)? = try? Value(encoding: first), case .object(let others)? = try? Value(encoding: second)
        else { return first }
        for (key, value) in others where values[key] == nil || values[key] == .null { values[key] = value }
        let sources = (first.sources.split(separator: ",") + second.sources.split(separator: ",")).map(String.init)
        values["sources"] = .string(sources.reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }.joined(separator: ","))
        return (try? Value.object(values).decode(Filing.self)) ?? first
    }
}

/// `data_validator_tool`: the completeness score and every data issue.
public struct DataValidatorTool: Tool {
    public struct Input: Codable, Sendable {
        public var organization: OrganizationProfile
        /// The year "now" is in (default: the current year).
        public var asOfYear: Int?
        /// Ask a model for a second opinion (the seed's `validate_organization_data`).
        public var secondOpinion: Bool?
        enum CodingKeys: String, CodingKey { case organization, asOfYear = "as_of_year", secondOpinion = "second_opinion" }
    }
    public struct Output: Codable, Sendable {
        public var validationResults: DataQuality
        public var aiReview: AIReviewReport?
        enum CodingKeys: String, CodingKey { case validationResults = "validation_results", aiReview = "ai_review" }
    }

    let ai: AIServices
    public init(ai: AIServices) { self.ai = ai }
    public let name = "data_validator_tool"
    public let description = "Scores how complete an organization's data is (0–1), lists each issue with a fix, and asks a model for a second opinion when asked."
    public var estimatedDuration: Double { ai.isConfigured ? 5 : 0 }

    public func execute(_ input: Input, context: ToolContext) async throws -> Output {
        let quality = DataQuality(profile: input.organization, currentYear: input.asOfYear ?? CurrentYear.value)
        guard input.secondOpinion == true else { return Output(validationResults: quality, aiReview: nil) }
        var profile = input.organization
        profile.filings = Array(profile.filings.prefix(3))
        let description = (try? Value(encoding: profile).jsonString()) ?? profile.name
        let outcome = await ai.call("ValidateOrganizationData", ["organization": .string(description)], as: AIValidation.self)
        return Output(validationResults: quality, aiReview: AIReviewReport(review: outcome.value, provenance: .from(outcome)))
    }
}

/// The calendar year now (the default "as of" year of the tools).
enum CurrentYear {
    static var value: Int { Calendar(identifier: .gregorian).component(.year, from: Date()) }
}
