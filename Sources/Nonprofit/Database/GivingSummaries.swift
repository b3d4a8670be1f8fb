import Foundation

/// What the grants on record say about each grantor, kept beside the grants so that matching an
/// applicant with funders reads a few aggregated rows instead of every grant: `funder_giving`
/// (dollars and grants by recipient state and recipient NTEE code, a recipient's code found by its
/// EIN or, without one, by its exact name when one organization of that name is in the grant's
/// state) and `funder_summary` (per grantor: grants, dollars, median and range, first and latest
/// year, openness to new recipients, main state, assets). Both databases keep them current on every
/// write, for the grantors the write touches, and rebuild them after a BMF import.
public enum GivingSummaries {
    /// The schema, in both dialects (SQLite's types; PostgreSQL's migration widens INTEGER to BIGINT).
    static let tables = [
        """
        CREATE TABLE funder_giving (
            grantor_ein TEXT NOT NULL,
            recipient_state TEXT,
            recipient_ntee TEXT,
            dollars INTEGER NOT NULL,
            grants INTEGER NOT NULL
        )
        """,
        // Covering: a candidate's rows are read from the index alone.
        "CREATE INDEX funder_giving_grantor ON funder_giving (grantor_ein, recipient_state, recipient_ntee, dollars, grants)",
        "CREATE INDEX funder_giving_place ON funder_giving (recipient_state, recipient_ntee, grantor_ein)",
        "CREATE INDEX funder_giving_cause ON funder_giving (recipient_ntee, grantor_ein)",
        """
        CREATE TABLE funder_summary (
            grantor_ein TEXT PRIMARY KEY NOT NULL,
            grants INTEGER NOT NULL,
            dollars INTEGER NOT NULL,
            placed_dollars INTEGER NOT NULL,
            known_cause_dollars INTEGER NOT NULL,
            median_grant INTEGER,
            smallest_grant INTEGER,
            largest_grant INTEGER,
            first_year INTEGER NOT NULL,
            latest_year INTEGER NOT NULL,
            latest_paid_year INTEGER,
            latest_new_share REAL,
            main_state TEXT,
            assets INTEGER,
            giving TEXT NOT NULL
        )
        """,
        "CREATE TABLE funder_counts (id INTEGER PRIMARY KEY CHECK (id = 1), grantmakers INTEGER NOT NULL)",
    ]

    /// The index that finds an organization by its exact name (upper-cased) and state.
    static let nameIndex = (name: "organizations_upper_name", columns: "upper(name), state")

    /// A grant's recipient's organization: by its EIN, else, for an organization named without
    /// one, the only organization of that exact name in the grant's state (anywhere, without a state).
    static let recipientMatch = """
        CASE WHEN g.recipient_ein IS NOT NULL THEN g.recipient_ein
             WHEN g.recipient_kind = 'organization' THEN (
                 SELECT CASE WHEN COUNT(*) = 1 THEN MIN(n.ein) END FROM organizations n
                 WHERE upper(n.name) = upper(g.recipient_name) AND (g.recipient_state IS NULL OR n.state = g.recipient_state))
        END
        """

    /// The statements that replace the summaries of the grantors `filter` selects (a condition on
    /// `grantor_ein`, e.g. `grantor_ein IN (…)`, or `1 = 1` for all), in order, then the count of
    /// grantmakers. `concatenate` is the dialect's string aggregate (`group_concat`, `string_agg`): each
    /// summary carries its grantor's `funder_giving` rows packed (`giving`), so that a funder search reads
    /// one row per candidate.
    static func refresh(filter: String, concatenate: String) -> [String] {
        [
            "DELETE FROM funder_giving WHERE \(filter)",
            "DELETE FROM funder_summary WHERE \(filter)",
            """
            INSERT INTO funder_giving (grantor_ein, recipient_state, recipient_ntee, dollars, grants)
            SELECT g.grantor_ein, COALESCE(g.recipient_state, r.state), r.ntee_code,
                   SUM(CASE WHEN g.amount > 0 THEN g.amount ELSE 0 END), COUNT(*)
            FROM (SELECT * FROM grants WHERE \(filter)) g LEFT JOIN organizations r ON r.ein = \(recipientMatch)
            GROUP BY g.grantor_ein, COALESCE(g.recipient_state, r.state), r.ntee_code
            """,
            """
            INSERT INTO funder_summary (grantor_ein, grants, dollars, placed_dollars, known_cause_dollars, median_grant, smallest_grant,
                                        largest_grant, first_year, latest_year, latest_paid_year, latest_new_share, main_state, assets, giving)
            WITH given AS (
                SELECT grantor_ein, amount, tax_year, COALESCE(recipient_ein, upper(recipient_name)) AS recipient FROM grants WHERE \(filter)
            ), totals AS (
                SELECT grantor_ein, COUNT(*) AS grants, SUM(CASE WHEN amount > 0 THEN amount ELSE 0 END) AS dollars,
                       MIN(CASE WHEN amount > 0 THEN amount END) AS smallest, MAX(CASE WHEN amount > 0 THEN amount END) AS largest,
                       MIN(tax_year) AS first_year, MAX(tax_year) AS latest_year
                FROM given GROUP BY grantor_ein
            ), ranked AS (
                SELECT grantor_ein, amount, ROW_NUMBER() OVER (PARTITION BY grantor_ein ORDER BY amount) AS position,
                       COUNT(*) OVER (PARTITION BY grantor_ein) AS positive
                FROM given WHERE amount > 0
            ), medians AS (
                SELECT grantor_ein, ROUND(AVG(amount)) AS median FROM ranked
                WHERE position IN ((positive + 1) / 2, (positive + 2) / 2) GROUP BY grantor_ein
            ), firsts AS (
                SELECT grantor_ein, recipient, MIN(tax_year) AS first_year FROM given GROUP BY grantor_ein, recipient
            ), latest AS (
                SELECT DISTINCT given.grantor_ein, given.recipient FROM given
                JOIN totals ON totals.grantor_ein = given.grantor_ein AND given.tax_year = totals.latest_year
            ), openness AS (
                SELECT latest.grantor_ein, AVG(CASE WHEN firsts.first_year = totals.latest_year THEN 1.0 ELSE 0.0 END) AS share
                FROM latest JOIN firsts ON firsts.grantor_ein = latest.grantor_ein AND firsts.recipient = latest.recipient
                JOIN totals ON totals.grantor_ein = latest.grantor_ein
                WHERE totals.first_year < totals.latest_year GROUP BY latest.grantor_ein
            ), places AS (
                SELECT grantor_ein, recipient_state, SUM(dollars) AS dollars FROM funder_giving
                WHERE recipient_state IS NOT NULL AND \(filter) GROUP BY grantor_ein, recipient_state
            ), main AS (
                -- Grouped, so that it is built once and looked up by grantor (a filter alone is
                -- folded into the join and scanned once per grantor: quadratic).
                SELECT grantor_ein, MIN(recipient_state) AS recipient_state FROM (
                    SELECT grantor_ein, recipient_state, ROW_NUMBER() OVER (PARTITION BY grantor_ein ORDER BY dollars DESC, recipient_state) AS position
                    FROM places) ordered
                WHERE position = 1 GROUP BY grantor_ein
            ), known AS (
                SELECT grantor_ein, SUM(CASE WHEN recipient_state IS NOT NULL THEN dollars ELSE 0 END) AS placed,
                       SUM(CASE WHEN recipient_ntee IS NOT NULL THEN dollars ELSE 0 END) AS caused
                FROM funder_giving WHERE \(filter) GROUP BY grantor_ein
            ), packed AS (
                SELECT grantor_ein, \(concatenate)(COALESCE(recipient_state, '') || ':' || COALESCE(recipient_ntee, '') || ':' || dollars || ':' || grants, ';') AS giving
                FROM funder_giving WHERE \(filter) GROUP BY grantor_ein
            )
            SELECT totals.grantor_ein, totals.grants, totals.dollars, COALESCE(known.placed, 0), COALESCE(known.caused, 0), medians.median,
                   totals.smallest, totals.largest, totals.first_year, totals.latest_year,
                   (SELECT MAX(f.tax_year) FROM filings f WHERE f.ein = totals.grantor_ein AND f.grants_paid > 0), openness.share, main.recipient_state,
                   COALESCE(o.assets, (SELECT f.total_assets FROM filings f WHERE f.ein = totals.grantor_ein ORDER BY f.tax_period DESC LIMIT 1)),
                   COALESCE(packed.giving, '')
            FROM totals
            LEFT JOIN medians ON medians.grantor_ein = totals.grantor_ein
            LEFT JOIN openness ON openness.grantor_ein = totals.grantor_ein
            LEFT JOIN main ON main.grantor_ein = totals.grantor_ein
            LEFT JOIN known ON known.grantor_ein = totals.grantor_ein
            LEFT JOIN packed ON packed.grantor_ein = totals.grantor_ein
            LEFT JOIN organizations o ON o.ein = totals.grantor_ein
            """,
            "DELETE FROM funder_counts",
            """
            INSERT INTO funder_counts (id, grantmakers) SELECT 1, COUNT(*) FROM (
                SELECT ein FROM organizations WHERE foundation = '04'
                UNION SELECT grantor_ein FROM funder_summary
                UNION SELECT ein FROM filings WHERE grants_paid > 0) grantmakers
            """,
        ]
    }

    /// The grantors whose summaries a write may change, as a condition on `grantor_ein` whose
    /// placeholders `list` writes: those whose grants it adds, the organizations it adds or changes
    /// (their assets and grants paid) and every grantor of a grant to them (their cause and place).
    static func touched(by batch: RecordBatch, list: (_ values: [String]) -> String) -> String? {
        let grantors = Set(batch.grants.map(\.grantorEIN)).union(batch.organizations.map(\.ein)).union(batch.filings.map(\.ein))
        guard !grantors.isEmpty else { return nil }
        let recipients = batch.organizations.map(\.ein)
        let names = Array(Set(batch.organizations.map { $0.name.uppercased() }))
        return """
            (grantor_ein \(list(Array(grantors).sorted())) OR grantor_ein IN (
                SELECT t.grantor_ein FROM grants t WHERE t.recipient_ein \(list(recipients))
                UNION SELECT t.grantor_ein FROM grants t WHERE upper(t.recipient_name) \(list(names.sorted())) AND \(OrganizationQueries.namedWithoutEIN)))
            """
    }
}

/// Which grantors an applicant's funder search reads, and how their giving is weighed.
public struct GivingQuery: Sendable {
    /// How close a recipient's cause is to the applicant's: the first level that matches gives its weight.
    public enum CauseLevel: Sendable {
        /// The recipient's NTEE code is exactly this.
        case code(String, Double)
        /// The recipient's NTEE code starts with this.
        case prefix(String, Double)
        /// The recipient's NTEE major group is one of these.
        case majors([String], Double)

        /// How close a code is to the applicant's: the weight of the first level it matches, 0 for none (or no code).
        public static func closeness(_ code: String?, levels: [CauseLevel]) -> Double {
            guard let code, !code.isEmpty else { return 0 }
            for level in levels {
                switch level {
                case .code(let exact, let weight) where code == exact: return weight
                case .prefix(let prefix, let weight) where code.hasPrefix(prefix): return weight
                case .majors(let majors, let weight) where majors.contains(String(code.prefix(1))): return weight
                default: continue
                }
            }
            return 0
        }
    }

    /// The applicant's state (its grants weigh most).
    public var state: String?
    /// The other states of its region.
    public var region: [String]
    /// The weight of a dollar given in the region (outside the state), for the evidence.
    public var regionWeight: Double
    /// The weight of a dollar given elsewhere, for the evidence.
    public var elsewhereWeight: Double
    /// Closeness of causes, most specific first.
    public var causes: [CauseLevel]
    /// The floor of a grant's closeness in the evidence (a grant far from the cause still counts a little).
    public var causeFloor: Double
    /// Which grantors are candidates: `near`, those that gave in the state to a related cause (its
    /// super-group, the `majors` level of `causes`; any cause without one) or to the cause family in the
    /// region; `wide`, also those that gave in the state to any cause, to the family anywhere or to the
    /// major group in the region.
    public enum Reach: Sendable { case near, wide }
    public var reach: Reach

    /// The major groups related to the applicant's (its super-group), sorted.
    var relatedMajors: [String] {
        for case .majors(let majors, _) in causes { return majors.sorted() }
        return []
    }
    /// The applicant's NTEE major group: with `wide` reach, grantors giving to it in the region are candidates.
    public var major: String?
    /// The applicant's NTEE code family (its first three characters): grants to it are to "organizations like it",
    /// and grantors giving to it anywhere are candidates.
    public var family: String?
    /// Grantors that are candidates whatever they gave (past funders, grantors of the peers).
    public var including: [String]

    public init(state: String?, region: [String], regionWeight: Double, elsewhereWeight: Double, causes: [CauseLevel], causeFloor: Double,
                reach: Reach = .near, major: String?, family: String?, including: [String]) {
        self.reach = reach
        self.state = state
        self.region = region
        self.regionWeight = regionWeight
        self.elsewhereWeight = elsewhereWeight
        self.causes = causes
        self.causeFloor = causeFloor
        self.major = major
        self.family = family
        self.including = including
    }
}

/// One grantor's giving, weighed for an applicant (see `GivingQuery`).
public struct GivingEvidence: Sendable, Hashable, Codable {
    public var grantorEIN: String
    public var grants: Int
    public var dollars: Int
    /// Dollars whose recipient's state is known.
    public var placedDollars: Int
    public var inStateDollars: Int
    /// Dollars to the region outside the state.
    public var inRegionDollars: Int
    /// Dollars whose recipient's cause is known.
    public var knownCauseDollars: Int
    /// Dollars weighted by the closeness of their recipients' causes.
    public var closeDollars: Double
    /// Grants to organizations of the applicant's code family, anywhere and in its state.
    public var alikeGrants: Int
    public var alikeInStateGrants: Int
    /// Dollars weighted by cause (at least the floor) and place: what breaks ties.
    public var weightedDollars: Double
    public var medianGrant: Int?
    public var smallestGrant: Int?
    public var largestGrant: Int?
    public var firstYear: Int
    public var latestYear: Int
    /// The latest year its filings report grants paid.
    public var latestPaidYear: Int?
    /// The share of its latest year's recipients new to it (nil with one year on record).
    public var latestNewShare: Double?
    /// The state its dollars went to most.
    public var mainState: String?
    public var assets: Int?

    enum CodingKeys: String, CodingKey {
        case grantorEIN = "grantor_ein", grants, dollars, placedDollars = "placed_dollars", inStateDollars = "in_state_dollars"
        case inRegionDollars = "in_region_dollars", knownCauseDollars = "known_cause_dollars", closeDollars = "close_dollars"
        case alikeGrants = "alike_grants", alikeInStateGrants = "alike_in_state_grants", weightedDollars = "weighted_dollars"
        case medianGrant = "median_grant", smallestGrant = "smallest_grant", largestGrant = "largest_grant", firstYear = "first_year"
        case latestYear = "latest_year", latestPaidYear = "latest_paid_year", latestNewShare = "latest_new_share", mainState = "main_state", assets
    }
}

/// A dialect's way of writing parameters into SQL.
protocol SQLParameters {
    /// A placeholder for a text value.
    mutating func text(_ value: String) -> String
    /// A placeholder for a number.
    mutating func number(_ value: Double) -> String
    /// `IN (…)` or its equivalent for a list of texts (an empty list matches nothing).
    mutating func list(_ values: [String]) -> String
}

/// One row of `funder_giving`, as `funder_summary.giving` packs it: a grantor's dollars and grants
/// to one recipient state and cause. State and code are kept as their bytes (`Code`): thousands of
/// summaries, ten rows each, are weighed per funder search, and no string is made for them.
struct GivingRow: Sendable, Hashable {
    /// Up to eight ASCII bytes, left-aligned in a UInt64 (0: unknown), so that a prefix is a mask.
    struct Code: Sendable, Hashable {
        var bits: UInt64
        var count: Int

        init<Bytes: Collection<UInt8>>(_ bytes: Bytes) {
            (bits, count) = (0, min(8, bytes.count))
            for (offset, byte) in bytes.prefix(8).enumerated() { bits |= UInt64(byte) << (56 - 8 * offset) }
        }

        init(_ text: String?) { self.init(Array((text ?? "").utf8)) }

        var isEmpty: Bool { count == 0 }

        /// Whether these bytes start with `prefix`'s.
        func hasPrefix(_ prefix: Code) -> Bool {
            guard prefix.count <= count else { return false }
            let mask: UInt64 = prefix.count == 0 ? 0 : ~0 << (64 - 8 * prefix.count)
            return bits & mask == prefix.bits
        }

        var text: String {
            String(decoding: (0..<count).map { UInt8(truncatingIfNeeded: bits >> (56 - 8 * $0)) }, as: UTF8.self)
        }
    }

    var recipientState: Code
    var recipientNTEE: Code
    var dollars: Int
    var grants: Int

    /// Calls `body` with each row of a packed `giving` ("state:ntee:dollars:grants;…", blanks for
    /// unknowns), in the database's order, without allocating; returns how many rows it read.
    @discardableResult
    static func forEach(in packed: String, _ body: (GivingRow) -> Void) -> Int {
        var packed = packed
        return packed.withUTF8 { bytes in
            var (count, field, start) = (0, 0, 0)
            var (state, code, dollars, grants) = (Code([]), Code([]), 0, 0)
            var valid = true
            for index in 0...bytes.count {
                let byte: UInt8 = index < bytes.count ? bytes[index] : 0x3B
                if byte != 0x3A && byte != 0x3B {   // ':' ends a field, ';' an entry
                    if field >= 2 {
                        if (0x30...0x39).contains(byte) {
                            if field == 2 { dollars = dollars &* 10 &+ Int(byte - 0x30) } else { grants = grants &* 10 &+ Int(byte - 0x30) }
                        } else { valid = false }
                    }
                    continue
                }
                switch field {
                case 0: state = Code(UnsafeBufferPointer(rebasing: bytes[start..<index]))
                case 1: code = Code(UnsafeBufferPointer(rebasing: bytes[start..<index]))
                default: if index == start { valid = false }
                }
                field += 1
                start = index + 1
                if byte == 0x3B {
                    if valid && field == 4 {
                        body(GivingRow(recipientState: state, recipientNTEE: code, dollars: dollars, grants: grants))
                        count += 1
                    }
                    (field, dollars, grants, valid) = (0, 0, 0, true)
                }
            }
            return count
        }
    }
}

/// One row of `funder_summary`.
struct GivingSummary: Sendable, Decodable {
    var grantorEIN: String
    var grants: Int
    var dollars: Int
    var placedDollars: Int
    var knownCauseDollars: Int
    var medianGrant: Int?
    var smallestGrant: Int?
    var largestGrant: Int?
    var firstYear: Int
    var latestYear: Int
    var latestPaidYear: Int?
    var latestNewShare: Double?
    var mainState: String?
    var assets: Int?
    /// Its `funder_giving` rows, packed (see `GivingRow.unpack`).
    var giving: String

    enum CodingKeys: String, CodingKey {
        case grantorEIN = "grantor_ein", grants, dollars, placedDollars = "placed_dollars", knownCauseDollars = "known_cause_dollars"
        case medianGrant = "median_grant", smallestGrant = "smallest_grant", largestGrant = "largest_grant", firstYear = "first_year"
        case latestYear = "latest_year", latestPaidYear = "latest_paid_year", latestNewShare = "latest_new_share", mainState = "main_state", assets
        case giving
    }

    static let columns = CodingKeys.allCases.map { "s.\($0.rawValue)" }.joined(separator: ", ")
}

extension GivingSummary.CodingKeys: CaseIterable {}

extension GivingQuery {
    /// The candidates: the grantors giving in the applicant's state to a related cause and to its cause
    /// family in its region (`near`; `wide`: giving in its state to any cause, to its family anywhere, to
    /// its major group in its region), and the ones named.
    func candidatesSQL<Parameters: SQLParameters>(_ parameters: inout Parameters) -> String {
        // Each placeholder is written only where it is used (SQLite refuses arguments a statement does not name).
        let state = parameters.text(state ?? "")
        func range(_ prefix: String) -> String {
            "f.recipient_ntee >= \(parameters.text(prefix)) AND f.recipient_ntee < \(parameters.text(OrganizationQueries.successor(of: prefix)))"
        }
        var candidates: [String] = []
        switch reach {
        case .near:
            // In the state, to a related cause (the applicant's super-group) when it has one.
            let related = relatedMajors
            if let first = related.first, let last = related.last, related.count == Int(last.unicodeScalars.first!.value - first.unicodeScalars.first!.value) + 1 {
                candidates.append("SELECT grantor_ein FROM funder_giving f WHERE f.recipient_state = \(state) AND f.recipient_ntee >= \(parameters.text(first)) "
                                  + "AND f.recipient_ntee < \(parameters.text(OrganizationQueries.successor(of: last)))")
            } else if !related.isEmpty {
                candidates.append("SELECT grantor_ein FROM funder_giving f WHERE f.recipient_state = \(state) AND substr(f.recipient_ntee, 1, 1) \(parameters.list(related))")
            } else {
                candidates.append("SELECT grantor_ein FROM funder_giving f WHERE f.recipient_state = \(state)")
            }
            if let family { candidates.append("SELECT grantor_ein FROM funder_giving f WHERE f.recipient_state \(parameters.list(region)) AND \(range(family))") }
        case .wide:
            candidates.append("SELECT grantor_ein FROM funder_giving f WHERE f.recipient_state = \(state)")
            if let family { candidates.append("SELECT grantor_ein FROM funder_giving f WHERE \(range(family))") }
            if let major { candidates.append("SELECT grantor_ein FROM funder_giving f WHERE f.recipient_state \(parameters.list(region)) AND \(range(major))") }
        }
        if !including.isEmpty { candidates.append("SELECT grantor_ein FROM funder_summary WHERE grantor_ein \(parameters.list(including))") }
        return "WITH candidates AS (\(candidates.joined(separator: " UNION ")))"
    }

    /// The candidates' `funder_summary` rows.
    func summariesSQL<Parameters: SQLParameters>(_ parameters: inout Parameters) -> String {
        candidatesSQL(&parameters) + "\nSELECT \(GivingSummary.columns) FROM candidates c JOIN funder_summary s ON s.grantor_ein = c.grantor_ein"
    }

    /// How close a recipient's cause is to the applicant's (the first of `causes` that matches; 0 for none).
    func closeness(_ code: String?) -> Double { CauseLevel.closeness(code, levels: causes) }

    /// Each candidate's evidence, from its summary and its packed giving, in EIN order. Weighted dollars
    /// are summed as whole numbers, weights in hundredths (the model's are multiples of 0.05), so that the
    /// sums do not depend on the order each database packs the rows in.
    func weigh(summaries: [GivingSummary]) -> [GivingEvidence] {
        let scale = 100.0
        func units(_ weight: Double) -> Int { Int((weight * scale).rounded()) }
        let (here, regionStates) = (GivingRow.Code(state), Set(region.map { GivingRow.Code($0) }))
        let familyCode = family.map { GivingRow.Code($0) }
        let (regionUnits, elsewhereUnits, floorUnits) = (units(regionWeight), units(elsewhereWeight), units(causeFloor))
        var closenessOf: [GivingRow.Code: Int] = [:]
        return summaries.compactMap { summary -> GivingEvidence? in
            var total = (inState: 0, inRegion: 0, close: 0, alike: 0, alikeInState: 0, weighted: 0)
            let rows = GivingRow.forEach(in: summary.giving) { row in
                let code = row.recipientNTEE
                let closeness = closenessOf[code] ?? {
                    let value = units(self.closeness(code.isEmpty ? nil : code.text))
                    closenessOf[code] = value
                    return value
                }()
                let inState = !here.isEmpty && row.recipientState == here
                let inRegion = !inState && regionStates.contains(row.recipientState)
                let alike = familyCode.map { !$0.isEmpty && code.hasPrefix($0) } ?? false
                let place = inState ? Int(scale) : inRegion ? regionUnits : elsewhereUnits
                if inState { total.inState += row.dollars }
                if inRegion { total.inRegion += row.dollars }
                total.close += row.dollars * closeness
                if alike { total.alike += row.grants }
                if alike && inState { total.alikeInState += row.grants }
                // Units of 1/scale²: dollars × cause × place.
                total.weighted += row.dollars * max(closeness, floorUnits) * place
            }
            guard rows > 0 else { return nil }
            return GivingEvidence(grantorEIN: summary.grantorEIN, grants: summary.grants, dollars: summary.dollars, placedDollars: summary.placedDollars,
                                  inStateDollars: total.inState, inRegionDollars: total.inRegion, knownCauseDollars: summary.knownCauseDollars,
                                  closeDollars: Double(total.close) / scale, alikeGrants: total.alike, alikeInStateGrants: total.alikeInState,
                                  weightedDollars: Double(total.weighted) / (scale * scale), medianGrant: summary.medianGrant, smallestGrant: summary.smallestGrant,
                                  largestGrant: summary.largestGrant, firstYear: summary.firstYear, latestYear: summary.latestYear,
                                  latestPaidYear: summary.latestPaidYear, latestNewShare: summary.latestNewShare, mainState: summary.mainState,
                                  assets: summary.assets)
        }.sorted { $0.grantorEIN < $1.grantorEIN }
    }
}
