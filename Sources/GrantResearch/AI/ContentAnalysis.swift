import Foundation

/// What an organization does, read from its own words in the 990 (mission, program service
/// accomplishments): by a model when one is configured, else by rules.
public struct ContentAnalysis: Sendable, Hashable, Codable {
    public struct ProgramArea: Sendable, Hashable, Codable {
        public var name: String
        public var description: String
        public var beneficiaries: String?
    }

    public var missionSummary: String
    public var programAreas: [ProgramArea]
    public var populationsServed: [String]
    public var geographicFocus: String?
    /// `consistent`, `partly_consistent`, `inconsistent` or `unknown`.
    public var nteeFit: String
    public var keywords: [String]

    enum CodingKeys: String, CodingKey {
        case missionSummary = "mission_summary", programAreas = "program_areas", populationsServed = "populations_served"
        case geographicFocus = "geographic_focus", nteeFit = "ntee_fit", keywords
    }

    /// The rule-based reading: the mission's first sentence, each program's first sentence, the
    /// place from the BMF, and the most frequent content words.
    public init(rulesFor profile: OrganizationProfile, mission: String?, programs: [String]) {
        missionSummary = mission.map(Self.firstSentence) ?? "No mission statement is on record."
        programAreas = programs.map { text in
            ProgramArea(name: text.split(separator: " ").prefix(6).joined(separator: " "), description: Self.firstSentence(text), beneficiaries: nil)
        }
        populationsServed = []
        geographicFocus = [profile.city, profile.state].compactMap { $0 }.joined(separator: ", ").nilIfEmpty
        nteeFit = "unknown"
        keywords = Self.keywords(([mission ?? ""] + programs).joined(separator: " "))
    }

    static func firstSentence(_ text: String) -> String {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard let end = trimmed.firstIndex(where: { $0 == "." || $0 == "!" || $0 == "?" }) else { return trimmed }
        return String(trimmed[...end])
    }

    static let stopWords: Set<String> = [
        "the", "and", "for", "with", "that", "this", "from", "are", "was", "were", "its", "our", "their", "they", "has", "have", "had",
        "not", "but", "all", "any", "each", "into", "through", "during", "over", "which", "who", "whom", "will", "would", "can", "also",
        "other", "such", "than", "been", "more", "most", "year", "organization", "provide", "provides", "provided", "program", "programs",
    ]

    /// Up to eight words that occur most often, ignoring short and common ones.
    static func keywords(_ text: String) -> [String] {
        var counts: [String: Int] = [:]
        for word in text.lowercased().split(whereSeparator: { !$0.isLetter }) where word.count > 3 && !stopWords.contains(String(word)) {
            counts[String(word), default: 0] += 1
        }
        return counts.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.prefix(8).map(\.key)
    }
}

/// `ai_content_analyzer_tool`'s result: the 990's own text, its reading, and where that came from.
public struct ContentReport: Sendable, Hashable, Codable {
    public var taxYear: Int?
    public var mission: String?
    public var programs: [String]
    public var analysis: ContentAnalysis
    public var provenance: AIProvenance

    enum CodingKeys: String, CodingKey { case taxYear = "tax_year", mission, programs, analysis, provenance }
}

/// The AI narrative for a report (`WriteNarrative`).
public struct Narrative: Sendable, Hashable, Codable {
    public var headline: String
    public var paragraphs: [String]
    public var strengths: [String]
    public var concerns: [String]
}

public struct NarrativeReport: Sendable, Hashable, Codable {
    public var narrative: Narrative?
    public var provenance: AIProvenance
}

/// The seed's `ValidationResult`: a model's second opinion on the data.
public struct AIValidation: Sendable, Hashable, Codable {
    public struct Issue: Sendable, Hashable, Codable {
        public var fieldName: String
        public var issueType: String
        public var severity: String
        public var description: String
        public var suggestedFix: String

        enum CodingKeys: String, CodingKey {
            case fieldName = "field_name", issueType = "issue_type", severity, description, suggestedFix = "suggested_fix"
        }
    }

    public var isValid: Bool
    public var completenessScore: Double
    public var issues: [Issue]
    public var recommendations: [String]

    enum CodingKeys: String, CodingKey {
        case isValid = "is_valid", completenessScore = "completeness_score", issues, recommendations
    }
}

public struct AIReviewReport: Sendable, Hashable, Codable {
    public var review: AIValidation?
    public var provenance: AIProvenance
}

extension String {
    var nilIfEmpty: String? { isEmpty ? nil : self }
}
