import Foundation

/// The organization database: organizations (IRS BMF), their filings, grants and officers.
/// Embedded in a SQLite file by default (`SQLiteOrganizationDatabase`); on a PostgreSQL server
/// (`PostgresOrganizationDatabase`) when a team shares one. Both answer every query alike.
public protocol OrganizationDatabase: AnyObject, Sendable {
    /// Where the data lives, for messages (a path, or a URL without its password).
    var location: String { get }

    // MARK: Look-ups

    /// The organization with this EIN, if known.
    func organization(_ ein: EIN) async throws -> Organization?
    /// The organization with everything on record about it, or nil when the EIN is unknown.
    func record(_ ein: EIN) async throws -> OrganizationRecord?
    /// An organization's filings, newest first.
    func filings(_ ein: EIN) async throws -> [Filing]
    /// Grants the organization made, latest and largest first.
    func grants(madeBy ein: EIN) async throws -> [Grant]
    /// Grants made to the organization (recorded with its EIN), latest and largest first.
    func grants(receivedBy ein: EIN) async throws -> [Grant]
    /// The officers listed in the organization's returns, latest year first.
    func officers(_ ein: EIN) async throws -> [Officer]
    /// Organizations matching the words of `query.text` (all of them, as prefixes) in their name,
    /// secondary name or city, ranked by relevance (name matches weigh most), then filtered.
    func search(_ query: OrganizationSearch) async throws -> [Organization]
    /// How many organizations, filings, grants and officers the database holds.
    func counts() async throws -> [String: Int]

    // MARK: Research

    /// Organizations whose NTEE code starts with `nteePrefix`, optionally in one state and within
    /// a revenue range (the closest to its geometric middle first; else largest first), without `excluding`.
    func organizations(nteePrefix: String, state: String?, revenue: ClosedRange<Int>?, excluding: Set<String>, limit: Int) async throws -> [Organization]
    /// The giving of every grantor with grants on record that `query` selects (see `GivingQuery.reach`),
    /// weighed for the applicant: one per grantor, in EIN order, from the giving summaries (see `GivingSummaries`).
    func givingEvidence(_ query: GivingQuery) async throws -> [GivingEvidence]
    /// Grantmakers with no grant list on record (private non-operating foundations, and filers
    /// reporting grants paid) in `state`, or in `region` when of one of the NTEE major groups
    /// `majors`: those in the state first, then the largest by assets.
    func grantmakersWithoutGrants(state: String?, region: [String], majors: [String], limit: Int) async throws -> [Organization]
    /// How many grantmakers there are in all: private non-operating foundations, grantors with
    /// grants on record and filers reporting grants paid.
    func grantmakerCount() async throws -> Int
    /// The grants on record of each given grantor, keyed by grantor EIN.
    func grants(madeByAny grantors: [String]) async throws -> [String: [Grant]]
    /// The organizations with these EINs (those the database knows).
    func organizations(withEINs eins: [String]) async throws -> [Organization]
    /// The organizations with one of these exact names (any case).
    func organizations(named names: [String]) async throws -> [Organization]
    /// Grants to recipients recorded with one of these EINs, or without an EIN under one of these names (any case).
    func grants(toRecipients eins: [String], named names: [String]) async throws -> [Grant]
    /// The filings of each given organization, keyed by EIN, newest first.
    func filings(ofAny eins: [String]) async throws -> [String: [Filing]]
    /// Officers of other organizations listed under one of these names (as written, or in capitals):
    /// each name's listings when it has at most `limit` (more, and it is a common name: only counted,
    /// up to `limit + 1`, so that a name in thousands of returns costs no more than a rare one).
    func officers(named written: [String], excluding ein: EIN, limit: Int) async throws -> OfficerListings
    /// The landscape of an NTEE code prefix in a state (any state when `state` is nil).
    func landscape(nteePrefix: String, state: String?) async throws -> OrganizationLandscape

    // MARK: Writing

    /// Imports IRS BMF CSV files (see `BMFImporter`).
    func importBMF(_ paths: [String], progress: (@Sendable (BMFImporter.Progress) -> Void)?) async throws -> BMFImporter.Summary
    /// Stores records from returns and ProPublica in one transaction. An organization's values come
    /// from the most trusted source that has them (BMF over ProPublica over a return's header; a
    /// newer row of equal authority wins), the others filling the gaps; filings merge per tax
    /// period; grants and officers already there are left alone.
    func save(_ batch: RecordBatch) async throws
    /// Stores one batch of a long import as `save` does, but leaves the name search index and the
    /// giving summaries marked stale for `refreshDeferredIndexes` to bring up to date once, at the end
    /// (or, on SQLite, the next open, should the import die first).
    func saveDeferringIndexes(_ batch: RecordBatch) async throws
    /// Brings up to date what `saveDeferringIndexes` left stale (nothing when nothing is).
    func refreshDeferredIndexes() async throws
    /// The organization's IRS BMF history, oldest first: values changed, no longer listed, listed again (see `BMFHistory`).
    func bmfHistory(_ ein: EIN) async throws -> [BMFChange]
    /// Which of these e-file returns (object ids) were imported before, with their return type.
    func importedReturns(among objectIDs: [String]) async throws -> [String: String]
    /// Rebuilds the giving summaries of every grantor (writes keep them current; a BMF import rebuilds them).
    func refreshGivingSummaries() async throws
    /// Whether a named dataset was already imported (the embedded dataset records itself).
    func hasImported(_ source: String) async throws -> Bool
    /// Records that a named dataset was imported.
    func markImported(_ source: String, detail: String) async throws
}

/// What to search for.
public struct OrganizationSearch: Sendable {
    public var text: String
    public var state: String?
    /// An NTEE code or prefix (`P81`, `P`).
    public var ntee: String?
    public var foundationsOnly = false
    public var limit = 20

    public init(text: String, state: String? = nil, ntee: String? = nil, foundationsOnly: Bool = false, limit: Int = 20) {
        self.text = text
        self.state = state
        self.ntee = ntee
        self.foundationsOnly = foundationsOnly
        self.limit = limit
    }

    /// The words searched for: lower-cased letters and digits, accents removed.
    var words: [String] {
        text.folding(options: [.caseInsensitive, .diacriticInsensitive], locale: nil).lowercased()
            .split { !$0.isLetter && !$0.isNumber }.map(String.init)
    }
}

/// Everything on record about one organization: its BMF row, filings, grants made and received, officers.
public struct OrganizationRecord: Sendable, Codable {
    public var organization: Organization
    public var filings: [Filing]
    public var grantsMade: [Grant]
    public var grantsReceived: [Grant]
    public var officers: [Officer]

    enum CodingKeys: String, CodingKey {
        case organization, filings, grantsMade = "grants_made", grantsReceived = "grants_received", officers
    }
}

/// Records to store together (from 990 returns or ProPublica responses).
public struct RecordBatch: Sendable {
    public var organizations: [Organization] = []
    public var filings: [Filing] = []
    public var grants: [Grant] = []
    public var officers: [Officer] = []
    /// The e-file returns these records came from, recorded so that a later import passes over them.
    public var returns: [ReturnReceipt] = []

    public init(organizations: [Organization] = [], filings: [Filing] = [], grants: [Grant] = [], officers: [Officer] = [], returns: [ReturnReceipt] = []) {
        self.organizations = organizations
        self.filings = filings
        self.grants = grants
        self.officers = officers
        self.returns = returns
    }

    /// SQL (both dialects) for how much the source in `column` is trusted: a row replaces one of
    /// lesser or equal rank (the BMF, then ProPublica, then a return's header).
    static func authority(of column: String) -> String { "CASE \(column) WHEN 'bmf' THEN 3 WHEN 'propublica' THEN 2 ELSE 1 END" }
}

/// Officers of other organizations found by name (see `OrganizationDatabase.officers(named:excluding:limit:)`).
public struct OfficerListings: Sendable, Hashable, Codable {
    /// The listings of the names with at most the limit, latest year first.
    public var officers: [Officer]
    /// How many listings each name has, by the name in capitals, counted up to the limit + 1.
    public var counts: [String: Int]

    public init(officers: [Officer], counts: [String: Int]) {
        self.officers = officers
        self.counts = counts
    }

    /// The listings from each name's probe (at most `limit + 1` rows of it): those of a name over the
    /// limit are only counted; the others are kept, latest first.
    init(probes: [[Officer]], limit: Int) {
        var counts: [String: Int] = [:]
        var kept: [Officer] = []
        for rows in probes {
            for row in rows { counts[row.name.uppercased(), default: 0] += 1 }
        }
        for rows in probes { kept += rows.filter { (counts[$0.name.uppercased()] ?? 0) <= limit } }
        officers = kept.sorted { ($1.taxYear, $0.ein, $0.name) < ($0.taxYear, $1.ein, $1.name) }
        self.counts = counts
    }
}

/// An e-file return that was imported (the `efile_returns` table).
public struct ReturnReceipt: Sendable, Hashable, Codable {
    public var objectID: String
    public var ein: String
    public var taxPeriod: Int
    public var formType: String
    /// The archive or file it was read from (its name).
    public var source: String
    public var importedAt: Double = Date().timeIntervalSince1970

    enum CodingKeys: String, CodingKey, CaseIterable {
        case objectID = "object_id", ein, taxPeriod = "tax_period", formType = "form_type", source, importedAt = "imported_at"
    }
}

/// Counts describing the organizations with an NTEE code prefix in one state.
public struct OrganizationLandscape: Sendable, Hashable, Codable {
    public var organizations: Int
    public var withRevenue: Int
    public var medianRevenue: Int?
    public var totalRevenue: Int
    public var privateFoundations: Int
    public var withFilings: Int
    /// BMF income-code band label → organizations.
    public var byIncomeBand: [String: Int]

    enum CodingKeys: String, CodingKey {
        case organizations, withRevenue = "with_revenue", medianRevenue = "median_revenue", totalRevenue = "total_revenue"
        case privateFoundations = "private_foundations", withFilings = "with_filings", byIncomeBand = "by_income_band"
    }

    /// The BMF income code's band (`INCOME_CD` 0–9).
    static func incomeBand(_ code: String?) -> String {
        switch code ?? "" {
        case "0": "$0"
        case "1": "$1–10k"
        case "2": "$10k–25k"
        case "3": "$25k–100k"
        case "4": "$100k–500k"
        case "5": "$500k–1M"
        case "6": "$1M–5M"
        case "7": "$5M–10M"
        case "8", "9": "over $10M"
        default: "unknown"
        }
    }
}

extension OrganizationLandscape {
    /// One organization as the landscape counts it.
    struct Member: Decodable {
        var revenue: Int?
        var incomeCode: String?
        var foundation: String?
        var filed: Bool

        enum CodingKeys: String, CodingKey { case revenue, incomeCode = "income_code", foundation, filed }
    }

    /// The counts of these organizations (the same arithmetic whichever database found them).
    init(members: [Member]) {
        let revenues = members.compactMap(\.revenue).sorted()
        var bands: [String: Int] = [:]
        for member in members { bands[Self.incomeBand(member.incomeCode), default: 0] += 1 }
        self.init(organizations: members.count, withRevenue: revenues.count,
                  medianRevenue: revenues.isEmpty ? nil : revenues[revenues.count / 2], totalRevenue: revenues.reduce(0, +),
                  privateFoundations: members.filter { Organization.privateFoundationCodes.contains($0.foundation ?? "") }.count,
                  withFilings: members.filter(\.filed).count, byIncomeBand: bands)
    }
}

/// Pieces of the queries both databases share.
enum OrganizationQueries {
    /// The smallest string greater than every string starting with `prefix` (for index range scans).
    static func successor(of prefix: String) -> String {
        guard let last = prefix.unicodeScalars.last, let next = Unicode.Scalar(last.value + 1) else { return prefix + "\u{10FFFF}" }
        return String(prefix.unicodeScalars.dropLast()) + String(Character(next))
    }

    /// The revenue that peers closest in size sit around: the range's geometric middle.
    static func middle(of revenue: ClosedRange<Int>) -> Int {
        Int((Double(max(1, revenue.lowerBound)) * Double(max(1, revenue.upperBound))).squareRoot())
    }

    /// A grant named without a recipient EIN (a 990-PF's), written so that no planner takes the index
    /// on `recipient_ein` for it: most grants have none, and the name's index is the one to use.
    static let namedWithoutEIN = "coalesce(recipient_ein, '') = ''"

    /// `grantmakersWithoutGrants` (see the protocol), the columns of `organizations` as `columns` writes them:
    /// the largest `limit` of each kind (foundations in the state; foundations of a related cause in the
    /// region, when the state has fewer than `limit`; filers reporting grants paid, read from their
    /// filings), then the nearest and largest of those.
    static func grantmakersWithoutGrants<Parameters: SQLParameters>(state: String?, region: [String], majors: [String], limit: Int,
                                                                   columns: String = "o.*", _ parameters: inout Parameters) -> String {
        let here = parameters.text(state ?? "")
        let (states, groups) = (parameters.list(region), parameters.list(majors))
        let limit = max(0, limit)
        let unlisted = "NOT EXISTS (SELECT 1 FROM funder_summary s WHERE s.grantor_ein = p.ein)"
        // The grants-paid filers are found from the place (the state index), each tested for a filing that paid
        // grants: with a year of e-filed returns on record they are a large share of all filings.
        let paid = "EXISTS (SELECT 1 FROM filings f WHERE f.ein = p.ein AND f.grants_paid > 0)"
        return """
            SELECT \(columns) FROM (
                SELECT * FROM (SELECT p.ein, 0 AS near, p.assets FROM organizations p WHERE p.foundation = '04' AND p.state = \(here) AND \(unlisted)
                               ORDER BY p.assets DESC NULLS LAST, p.ein LIMIT \(limit)) local
                UNION SELECT * FROM (SELECT p.ein, 1 AS near, p.assets FROM organizations p
                                     WHERE p.foundation = '04' AND p.state \(states) AND p.ntee_major \(groups) AND \(unlisted)
                                       AND (SELECT COUNT(*) FROM organizations q WHERE q.foundation = '04' AND q.state = \(here)) < \(limit)
                                     ORDER BY p.assets DESC NULLS LAST, p.ein LIMIT \(limit)) regional
                UNION SELECT * FROM (SELECT p.ein, 0 AS near, p.assets FROM organizations p WHERE p.state = \(here) AND \(paid) AND \(unlisted)
                                     ORDER BY p.assets DESC NULLS LAST, p.ein LIMIT \(limit)) paying
                UNION SELECT * FROM (SELECT p.ein, 1 AS near, p.assets FROM organizations p
                                     WHERE p.state \(states) AND p.state <> \(here) AND p.ntee_major \(groups) AND \(paid) AND \(unlisted)
                                     ORDER BY p.assets DESC NULLS LAST, p.ein LIMIT \(limit)) paying_regionally
            ) c JOIN organizations o ON o.ein = c.ein
            ORDER BY c.near, c.assets DESC NULLS LAST, o.ein
            LIMIT \(limit)
            """
    }

    /// The names an officer may be listed under: as written and in capitals.
    static func officerNames(_ written: [String]) -> [String] {
        Array(Set(written + written.map { $0.uppercased() })).sorted()
    }

    // MARK: Upserts (the same SQL in both dialects but where a parameter says otherwise)

    /// The organization columns, EIN first.
    static let organizationColumns = Organization.CodingKeys.allCases.map(\.rawValue)

    /// `ON CONFLICT (ein) DO UPDATE SET` every other organization column to the offered row's value.
    static let replaceOrganization = "ON CONFLICT (ein) DO UPDATE SET "
        + organizationColumns.dropFirst().map { "\($0) = excluded.\($0)" }.joined(separator: ", ")

    /// Whether the offered row's source is trusted as much as the stored one's, or more.
    static let offeredOrganizationIsAsTrusted =
        "\(RecordBatch.authority(of: "organizations.source")) <= \(RecordBatch.authority(of: "excluded.source"))"

    /// `ON CONFLICT (ein) DO UPDATE SET` each column to the value of the more trusted row, the other
    /// row filling its gaps (so a return's header adds the address a ProPublica row lacks, and never
    /// replaces a BMF name); the source becomes the more trusted one's.
    static let mergeOrganization = "ON CONFLICT (ein) DO UPDATE SET "
        + organizationColumns.dropFirst().map { column in
            column == "source"
                ? "source = CASE WHEN \(offeredOrganizationIsAsTrusted) THEN excluded.source ELSE organizations.source END"
                : "\(column) = CASE WHEN \(offeredOrganizationIsAsTrusted) THEN coalesce(excluded.\(column), organizations.\(column)) "
                    + "ELSE coalesce(organizations.\(column), excluded.\(column)) END"
        }.joined(separator: ", ")

    /// The condition under which `replaceOrganization` touches a row: a value differs. `isDistinct` is
    /// the dialect's null-safe inequality of two row values (`IS NOT` in SQLite, `IS DISTINCT FROM` in PostgreSQL).
    static func offeredOrganizationDiffers(isDistinct: String) -> String {
        let columns = organizationColumns.dropFirst()
        return "(\(columns.map { "organizations.\($0)" }.joined(separator: ", "))) \(isDistinct) (\(columns.map { "excluded.\($0)" }.joined(separator: ", ")))"
    }

    /// `ON CONFLICT (ein, tax_period) DO UPDATE SET` the gaps of the stored filing from the offered one,
    /// and the offered source added to its sources. `containsSource` is the dialect's test of whether
    /// the stored list (first argument) contains the offered source (second), both wrapped in commas.
    static func mergeFiling(containsSource: (_ list: String, _ item: String) -> String) -> String {
        let gaps = Filing.CodingKeys.allCases.map(\.rawValue).filter { !["ein", "tax_period", "sources"].contains($0) }
            .map { "\($0) = coalesce(filings.\($0), excluded.\($0))" }.joined(separator: ", ")
        return """
            ON CONFLICT (ein, tax_period) DO UPDATE SET \(gaps),
                sources = CASE WHEN \(containsSource("',' || filings.sources || ','", "',' || excluded.sources || ','")) THEN filings.sources
                               ELSE filings.sources || ',' || excluded.sources END
            """
    }
}

/// Schema changes both databases apply (SQLite's types; PostgreSQL's migration widens INTEGER to BIGINT).
enum OrganizationSchemaChanges {
    /// The fiscal year's first month, the return's own prior-year column, a 990-PF's charitable
    /// disbursements and fair-market value, the e-file object id; Schedule I's cash and non-cash parts.
    static let v3 = [
        "ALTER TABLE filings ADD COLUMN period_start INTEGER",
        "ALTER TABLE filings ADD COLUMN prior_year_revenue INTEGER",
        "ALTER TABLE filings ADD COLUMN prior_year_expenses INTEGER",
        "ALTER TABLE filings ADD COLUMN charitable_disbursements INTEGER",
        "ALTER TABLE filings ADD COLUMN fair_market_value_of_assets INTEGER",
        "ALTER TABLE filings ADD COLUMN object_id TEXT",
        "ALTER TABLE grants ADD COLUMN cash_amount INTEGER",
        "ALTER TABLE grants ADD COLUMN non_cash_amount INTEGER",
        "ALTER TABLE grants ADD COLUMN recipient_status TEXT",
    ]

    /// Indexes for funder research: grants by recipient name (past funders found by name), filings that report grants paid.
    static let v4 = [
        "CREATE INDEX grants_recipient_name ON grants (upper(recipient_name))",
        "CREATE INDEX filings_grants_paid ON filings (ein) WHERE grants_paid > 0",
    ]

    /// The giving summaries, filled from the grants there, and the indexes that find grantmakers
    /// by place and recipients by exact name.
    static func v5(concatenate: String) -> [String] { [
        "DROP INDEX IF EXISTS organizations_foundation",
        "CREATE INDEX organizations_foundation ON organizations (foundation, state, assets)",
        "CREATE INDEX IF NOT EXISTS \(GivingSummaries.nameIndex.name) ON organizations (\(GivingSummaries.nameIndex.columns))",
        // A grant named without an EIN is found by its recipient's name (past funders, grants to peers).
        "CREATE INDEX IF NOT EXISTS grants_recipient_name ON grants (upper(recipient_name))",
    ] + GivingSummaries.tables + GivingSummaries.refresh(filter: "1 = 1", concatenate: concatenate) }

    /// The record of imported e-file returns, and the history of BMF refreshes: each import's
    /// counts, each organization's changes, and the mark of an organization the BMF no longer lists.
    static let v6 = [
        """
        CREATE TABLE efile_returns (object_id TEXT PRIMARY KEY NOT NULL, ein TEXT NOT NULL, tax_period INTEGER NOT NULL,
                                    form_type TEXT NOT NULL, source TEXT NOT NULL, imported_at REAL NOT NULL)
        """,
        "CREATE INDEX efile_returns_ein ON efile_returns (ein)",
        """
        CREATE TABLE bmf_imports (id INTEGER PRIMARY KEY NOT NULL, imported_at REAL NOT NULL, files TEXT NOT NULL, rows INTEGER NOT NULL,
                                  added INTEGER NOT NULL, changed INTEGER NOT NULL, gone INTEGER NOT NULL, returned INTEGER NOT NULL)
        """,
        """
        CREATE TABLE organization_changes (import_id INTEGER NOT NULL, ein TEXT NOT NULL, change TEXT NOT NULL,
                                           field TEXT, old_value TEXT, new_value TEXT)
        """,
        "CREATE INDEX organization_changes_ein ON organization_changes (ein, import_id)",
        "ALTER TABLE organizations ADD COLUMN removed_from_bmf INTEGER",
        "CREATE INDEX organizations_removed ON organizations (removed_from_bmf) WHERE removed_from_bmf IS NOT NULL",
    ]

    /// `INSERT` a batch's return receipts, replacing an earlier receipt of the same return (`--force`);
    /// `rows` is the dialect's source of rows with the receipt columns.
    static func recordReturns(from rows: String) -> String {
        let columns = ReturnReceipt.CodingKeys.allCases.map(\.rawValue)
        return "INSERT INTO efile_returns (\(columns.joined(separator: ", "))) \(rows) ON CONFLICT (object_id) DO UPDATE SET "
            + columns.dropFirst().map { "\($0) = excluded.\($0)" }.joined(separator: ", ")
    }

    /// Relabels what earlier versions stored under an e-file return's `TaxYr` (the year its fiscal
    /// year begins) with the one convention, the year the period ends (`FiscalYear`): its grants and
    /// officers first (found by their old year), then the filings. `containsXML` tests a filing's sources.
    static func relabelFiscalYears(containsXML: String) -> [String] {
        let stale = "f.tax_year <> f.tax_period / 100 AND \(containsXML)"
        return [
            """
            UPDATE grants SET tax_year = (SELECT MIN(f.tax_period) / 100 FROM filings f WHERE f.ein = grants.grantor_ein AND f.tax_year = grants.tax_year AND \(stale))
            WHERE EXISTS (SELECT 1 FROM filings f WHERE f.ein = grants.grantor_ein AND f.tax_year = grants.tax_year AND \(stale))
            """,
            """
            DELETE FROM officers WHERE EXISTS (SELECT 1 FROM filings f WHERE f.ein = officers.ein AND f.tax_year = officers.tax_year AND \(stale)
                AND EXISTS (SELECT 1 FROM officers o WHERE o.ein = officers.ein AND o.name = officers.name AND o.tax_year = f.tax_period / 100))
            """,
            """
            UPDATE officers SET tax_year = (SELECT MIN(f.tax_period) / 100 FROM filings f WHERE f.ein = officers.ein AND f.tax_year = officers.tax_year AND \(stale))
            WHERE EXISTS (SELECT 1 FROM filings f WHERE f.ein = officers.ein AND f.tax_year = officers.tax_year AND \(stale))
            """,
            "UPDATE filings SET tax_year = tax_period / 100 WHERE tax_year <> tax_period / 100",
        ]
    }
}
