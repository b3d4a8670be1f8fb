import Foundation
import Nonprofit

/// What the analysis tools know about one organization: its BMF identity and its filings,
/// newest first. The value the fetchers produce and every later tool reads.
public struct OrganizationProfile: Sendable, Hashable, Codable {
    /// `XX-XXXXXXX`.
    public var ein: String
    public var name: String
    public var city: String?
    public var state: String?
    public var zip: String?
    public var nteeCode: String?
    /// The NTEE major group letter (`P`).
    public var nteeMajor: String?
    /// The major group's name (`Human Services`).
    public var nteeDescription: String?
    public var subsection: String?
    /// The BMF foundation code (`15` public charity, `04` private non-operating foundation, …).
    public var foundation: String?
    /// Ruling date `YYYYMM`.
    public var ruling: String?
    /// The BMF's latest tax period `YYYYMM`.
    public var taxPeriod: String?
    public var revenue: Int?
    public var assets: Int?
    public var income: Int?
    /// Where the identity came from: `bmf` or `propublica`.
    public var source: String
    /// Every filing on record, newest first.
    public var filings: [Filing]
    /// Requested fields that are empty.
    public var missingFields: [String]

    enum CodingKeys: String, CodingKey {
        case ein, name, city, state, zip, nteeCode = "ntee_code", nteeMajor = "ntee_major", nteeDescription = "ntee_description"
        case subsection, foundation, ruling, taxPeriod = "tax_period", revenue, assets, income, source, filings
        case missingFields = "missing_fields"
    }

    /// A profile from the organization's database row and filings.
    public init(_ organization: Organization, filings: [Filing]) {
        ein = organization.formattedEIN
        name = organization.name
        city = organization.city
        state = organization.state
        zip = organization.zip
        nteeCode = organization.nteeCode
        nteeMajor = organization.nteeMajor ?? organization.nteeCode.map { String($0.prefix(1)) }
        nteeDescription = nteeMajor.flatMap { NTEE.majorGroups[$0] }
        subsection = organization.subsection
        foundation = organization.foundation
        ruling = organization.ruling
        taxPeriod = organization.taxPeriod
        revenue = organization.revenue
        assets = organization.assets
        income = organization.income
        source = organization.source
        self.filings = filings.sorted { $0.taxPeriod > $1.taxPeriod }
        missingFields = []
    }

    /// The EIN's nine digits.
    public var digits: String { ein.filter(\.isNumber) }

    /// The organization's size for comparisons: the latest filing's revenue, else the BMF's.
    public var sizeRevenue: Int? { filings.first?.totalRevenue ?? revenue }

    /// The value of a profile field by its JSON name (for `required_fields` checks), nil when empty.
    public func field(_ name: String) -> String? {
        let text: String? = switch name {
        case "ein": ein
        case "name": name.isEmpty ? nil : self.name
        case "city": city
        case "state": state
        case "zip": zip
        case "ntee_code": nteeCode
        case "subsection": subsection
        case "foundation": foundation
        case "ruling": ruling
        case "revenue": (revenue ?? filings.first?.totalRevenue).map(String.init)
        case "assets": (assets ?? filings.first?.totalAssets).map(String.init)
        case "income": income.map(String.init)
        case "filings": filings.isEmpty ? nil : String(filings.count)
        default: nil
        }
        guard let text, !text.trimmingCharacters(in: .whitespaces).isEmpty else { return nil }
        return text
    }

    /// The field names `field(_:)` knows.
    public static let fieldNames = ["ein", "name", "city", "state", "zip", "ntee_code", "subsection", "foundation", "ruling",
                                    "revenue", "assets", "income", "filings"]
}

/// The National Taxonomy of Exempt Entities: major group names by letter.
public enum NTEE {
    public static let majorGroups: [String: String] = [
        "A": "Arts, Culture & Humanities", "B": "Education", "C": "Environment", "D": "Animal-Related",
        "E": "Health Care", "F": "Mental Health & Crisis Intervention", "G": "Voluntary Health Associations & Medical Disciplines",
        "H": "Medical Research", "I": "Crime & Legal-Related", "J": "Employment", "K": "Food, Agriculture & Nutrition",
        "L": "Housing & Shelter", "M": "Public Safety, Disaster Preparedness & Relief", "N": "Recreation & Sports",
        "O": "Youth Development", "P": "Human Services", "Q": "International, Foreign Affairs & National Security",
        "R": "Civil Rights, Social Action & Advocacy", "S": "Community Improvement & Capacity Building",
        "T": "Philanthropy, Voluntarism & Grantmaking Foundations", "U": "Science & Technology",
        "V": "Social Science", "W": "Public & Societal Benefit", "X": "Religion-Related",
        "Y": "Mutual & Membership Benefit", "Z": "Unknown",
    ]

    /// The ten super-groups (ProPublica's `ntee[id]`): letters that belong together.
    public static func superGroup(_ major: String) -> Int? {
        guard let letter = major.uppercased().unicodeScalars.first, ("A"..."Z").contains(letter) else { return nil }
        switch letter {
        case "A": return 1
        case "B": return 2
        case "C", "D": return 3
        case "E"..."H": return 4
        case "I"..."P": return 5
        case "Q": return 6
        case "R"..."W": return 7
        case "X": return 8
        case "Y": return 9
        default: return 10
        }
    }
}
