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
    /// Where the identity came from: `bmf`, `propublica` or `irs990_xml` (a return's header).
    public var source: String
    /// Every filing on record, newest first.
    public var filings: [Filing] { didSet { latestFigures = LatestFigures(organization: self) } }
    /// Requested fields that are empty.
    public var missingFields: [String]
    /// The newest revenue and assets on record, with their year and source: the latest filing's,
    /// or the BMF's when the BMF knows a newer return than the filings on record.
    public private(set) var latestFigures: LatestFigures?

    enum CodingKeys: String, CodingKey {
        case ein, name, city, state, zip, nteeCode = "ntee_code", nteeMajor = "ntee_major", nteeDescription = "ntee_description"
        case subsection, foundation, ruling, taxPeriod = "tax_period", revenue, assets, income, source, filings
        case missingFields = "missing_fields", latestFigures = "latest_figures"
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
        latestFigures = LatestFigures(organization: self)
        normalize()
    }

    /// The EIN's nine digits.
    public var digits: String { ein.filter(\.isNumber) }

    /// The organization's size for comparisons: the newest revenue on record.
    public var sizeRevenue: Int? { latestFigures?.revenue ?? filings.first?.totalRevenue ?? revenue }

    /// The fiscal year of the newest return anything on record knows of (a filing's, or the BMF's).
    public var latestKnownYear: FiscalYear? {
        [filings.first?.fiscalYear, FiscalYear(taxPeriod: taxPeriod)].compactMap { $0 }.max()
    }

    /// The same spelling whatever the source: all-capital names title-cased, five-digit ZIP codes,
    /// upper-case state codes. What changed, in words.
    @discardableResult
    public mutating func normalize() -> [String] {
        var changes: [String] = []
        if name == name.uppercased(), name.contains(where: \.isLetter) {
            name = NameCase.titleCased(name)
            changes.append("name title-cased")
        }
        if let zip, zip.count > 5 {
            self.zip = String(zip.prefix(5))
            changes.append("ZIP trimmed to five digits")
        }
        if let state, state != state.uppercased() {
            self.state = state.uppercased()
            changes.append("state upper-cased")
        }
        if let city, city == city.uppercased(), city.contains(where: \.isLetter) { self.city = NameCase.titleCased(city) }
        return changes
    }

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

/// The newest revenue and assets on record, and where they come from.
public struct LatestFigures: Sendable, Hashable, Codable {
    /// `FY2024 (Apr 2023–Mar 2024)`.
    public var fiscalYear: String
    /// `YYYYMM` of the period's end.
    public var periodEnd: Int
    public var revenue: Int?
    public var assets: Int?
    /// In words: `the FY2024 return, as summarised in the IRS Business Master File`, `the FY2022 Form 990 (ProPublica)`.
    public var source: String
    /// True when the figures are the BMF's because it knows a return newer than any filing on record.
    public var newerThanFilings: Bool

    enum CodingKeys: String, CodingKey {
        case fiscalYear = "fiscal_year", periodEnd = "period_end", revenue, assets, source, newerThanFilings = "newer_than_filings"
    }
}

extension LatestFigures {
    /// The newest of the latest filing and the BMF row's figures (the filing when they are of the same year).
    init?(organization profile: OrganizationProfile) {
        let filing = profile.filings.first
        let bmfYear = FiscalYear(taxPeriod: profile.taxPeriod)
        if let bmfYear, profile.revenue != nil || profile.assets != nil, bmfYear > (filing?.fiscalYear ?? FiscalYear(periodEnd: 0)) {
            let registry = profile.source == "propublica" ? "the IRS Business Master File (via ProPublica)" : "the IRS Business Master File"
            self.init(fiscalYear: bmfYear.description, periodEnd: bmfYear.periodEnd, revenue: profile.revenue, assets: profile.assets,
                      source: "the \(bmfYear.label) return, as summarised in \(registry)", newerThanFilings: filing != nil)
        } else if let filing {
            self.init(fiscalYear: filing.fiscalYear.description, periodEnd: filing.taxPeriod, revenue: filing.totalRevenue,
                      assets: filing.totalAssets, source: "the \(filing.fiscalYear.label) Form \(FormName.text(filing.formType)) (\(SourceName.text(filing.sources)))",
                      newerThanFilings: false)
        } else {
            return nil
        }
    }
}

/// Form codes as the IRS writes them.
public enum FormName {
    /// `990EZ` → `990-EZ`, `990PF` → `990-PF`.
    public static func text(_ form: String) -> String {
        switch form {
        case "990EZ": "990-EZ"
        case "990PF": "990-PF"
        default: form
        }
    }
}

/// Where figures came from, in words.
public enum SourceName {
    /// `irs990_xml,propublica` → `IRS e-file and ProPublica`.
    public static func text(_ sources: String) -> String {
        ListText.joined(sources.split(separator: ",").map { source in
            switch source {
            case "irs990_xml": "IRS e-file"
            case "propublica": "ProPublica"
            case "bmf": "IRS Business Master File"
            default: String(source)
            }
        })
    }
}

/// Names written in capitals, as the IRS files them, written as people write them.
public enum NameCase {
    static let small: Set<String> = ["of", "and", "the", "for", "in", "on", "at", "to", "an", "by"]
    static let capitals: Set<String> = ["YMCA", "YWCA", "USA", "US", "LLC", "PTA", "PTO", "PTSA", "VFW", "AARP", "NAACP", "AIDS", "HIV",
                                        "II", "III", "IV", "UW", "TD", "DC", "NFP", "CDC", "YMHA", "YWHA", "4-H"]

    /// A name as a report shows it: title-cased when written all in capitals, else as written.
    public static func display(_ name: String) -> String {
        name == name.uppercased() && name.contains(where: \.isLetter) ? titleCased(name) : name
    }

    /// `VIRGINIA PRIMARY CARE ASSN INC` → `Virginia Primary Care Assn Inc`: short words lower-case
    /// inside, each part of a hyphenated word capitalised, known acronyms kept.
    public static func titleCased(_ name: String) -> String {
        name.split(separator: " ", omittingEmptySubsequences: false).enumerated().map { index, word in
            if capitals.contains(String(word)) { return String(word) }
            let lower = word.lowercased()
            if index > 0 && small.contains(lower) { return lower }
            return lower.split(separator: "-", omittingEmptySubsequences: false).map { $0.prefix(1).uppercased() + $0.dropFirst() }
                .joined(separator: "-")
        }.joined(separator: " ")
    }
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
