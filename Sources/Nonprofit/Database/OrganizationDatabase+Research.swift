import GRDB

/// The queries grant research needs: peers, candidate funders, shared officers, landscape counts.
/// Every value reaches SQL as a bound argument.
extension OrganizationDatabase {
    /// Organizations whose NTEE code starts with `nteePrefix`, optionally in one state and within
    /// a revenue range, largest first, without `excluding`.
    /// - Parameters:
    ///   - nteePrefix: an NTEE code prefix (`P81`, `P`); must not be empty.
    ///   - state: a two-letter state, or nil for any.
    ///   - revenue: the revenue range (BMF revenue), or nil for any size; the closest to its
    ///     geometric middle come first.
    ///   - excluding: EINs to leave out (the organization itself, peers already chosen).
    ///   - limit: at most this many.
    public func organizations(nteePrefix: String, state: String?, revenue: ClosedRange<Int>?,
                              excluding: Set<String>, limit: Int) async throws -> [Organization] {
        var sql = "SELECT * FROM organizations WHERE ntee_code >= ? AND ntee_code < ?"
        var arguments: StatementArguments = [nteePrefix, Self.successor(of: nteePrefix)]
        if let state { sql += " AND state = ?"; arguments += [state] }
        if let revenue {
            sql += " AND revenue BETWEEN ? AND ? ORDER BY abs(revenue - ?)"
            let middle = Int((Double(max(1, revenue.lowerBound)) * Double(max(1, revenue.upperBound))).squareRoot())
            arguments += [revenue.lowerBound, revenue.upperBound, middle]
        } else {
            sql += " ORDER BY revenue DESC NULLS LAST"
        }
        sql += " LIMIT ?"
        arguments += [limit + excluding.count]
        let (finalSQL, finalArguments) = (sql, arguments)
        let rows = try await pool.read { db in try Organization.fetchAll(db, sql: finalSQL, arguments: finalArguments) }
        return Array(rows.filter { !excluding.contains($0.ein) }.prefix(limit))
    }

    /// The smallest string greater than every string starting with `prefix` (for index range scans).
    static func successor(of prefix: String) -> String {
        guard let last = prefix.unicodeScalars.last, let next = Unicode.Scalar(last.value + 1) else { return prefix + "\u{10FFFF}" }
        return String(prefix.unicodeScalars.dropLast()) + String(Character(next))
    }

    /// Candidate funders: private foundations (BMF foundation code 02, 03 or 04) and every
    /// organization with grants on record. With a screen, only foundations of those NTEE major
    /// groups or in that state, and every grantor.
    /// - Parameters:
    ///   - nteeMajors: NTEE major-group letters to keep; nil keeps every foundation.
    ///   - state: a state whose foundations are kept whatever their cause.
    public func candidateFunders(nteeMajors: [String]?, state: String?) async throws -> [Organization] {
        var screen = ""
        var arguments: StatementArguments = []
        if let nteeMajors {
            let placeholders = Array(repeating: "?", count: nteeMajors.count).joined(separator: ", ")
            screen = " AND (ntee_major IN (\(placeholders)) OR state = ?)"
            arguments = StatementArguments(nteeMajors) + [state ?? ""]
        }
        let (finalScreen, finalArguments) = (screen, arguments)
        return try await pool.read { db in
            try Organization.fetchAll(db, sql: """
                SELECT * FROM organizations WHERE foundation IN ('02', '03', '04')\(finalScreen)
                UNION SELECT o.* FROM organizations o WHERE o.ein IN (SELECT DISTINCT grantor_ein FROM grants)
                """, arguments: finalArguments)
        }
    }

    /// How many candidate funders there are in all (private foundations and other grantors).
    public func candidateFunderCount() async throws -> Int {
        try await pool.read { db in
            try Int.fetchOne(db, sql: """
                SELECT COUNT(*) FROM (SELECT ein FROM organizations WHERE foundation IN ('02', '03', '04')
                UNION SELECT grantor_ein FROM grants)
                """) ?? 0
        }
    }

    /// The grants on record of each given grantor, keyed by grantor EIN.
    public func grants(madeByAny grantors: [String]) async throws -> [String: [Grant]] {
        guard !grantors.isEmpty else { return [:] }
        let placeholders = Array(repeating: "?", count: grantors.count).joined(separator: ", ")
        let grants = try await pool.read { db in
            try Grant.fetchAll(db, sql: "SELECT * FROM grants WHERE grantor_ein IN (\(placeholders)) ORDER BY tax_year DESC, amount DESC",
                               arguments: StatementArguments(grantors))
        }
        return Dictionary(grouping: grants, by: \.grantorEIN)
    }

    /// The EINs of grantors that have any grants on record.
    public func grantorEINs() async throws -> Set<String> {
        try await pool.read { db in Set(try String.fetchAll(db, sql: "SELECT DISTINCT grantor_ein FROM grants")) }
    }

    /// Officers of other organizations listed under one of these names (as written, or in capitals
    /// as most returns write them), through the name index.
    public func officers(named written: [String], excluding ein: EIN) async throws -> [Officer] {
        let names = Array(Set(written + written.map { $0.uppercased() }))
        guard !names.isEmpty else { return [] }
        let placeholders = Array(repeating: "?", count: names.count).joined(separator: ", ")
        return try await pool.read { db in
            try Officer.fetchAll(db, sql: """
                SELECT * FROM officers WHERE name IN (\(placeholders)) AND ein <> ?
                ORDER BY tax_year DESC
                """, arguments: StatementArguments(names + [ein.digits]))
        }
    }

    /// Counts describing the organizations with an NTEE code prefix in one state.
    public struct Landscape: Sendable, Hashable, Codable {
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
    }

    /// The landscape of an NTEE code prefix in a state (any state when `state` is nil).
    public func landscape(nteePrefix: String, state: String?) async throws -> Landscape {
        var filter = "ntee_code >= ? AND ntee_code < ?"
        var arguments: StatementArguments = [nteePrefix, Self.successor(of: nteePrefix)]
        if let state { filter += " AND state = ?"; arguments += [state] }
        let (finalFilter, finalArguments) = (filter, arguments)
        return try await pool.read { db in
            let rows = try Row.fetchAll(db, sql: """
                SELECT revenue, income_code, foundation, EXISTS (SELECT 1 FROM filings f WHERE f.ein = o.ein) AS filed
                FROM organizations o WHERE \(finalFilter)
                """, arguments: finalArguments)
            let revenues = rows.compactMap { $0["revenue"] as Int? }.sorted()
            var bands: [String: Int] = [:]
            for row in rows { bands[Self.incomeBand(row["income_code"]), default: 0] += 1 }
            return Landscape(
                organizations: rows.count, withRevenue: revenues.count,
                medianRevenue: revenues.isEmpty ? nil : revenues[revenues.count / 2],
                totalRevenue: revenues.reduce(0, +),
                privateFoundations: rows.filter { ["02", "03", "04"].contains($0["foundation"] as String? ?? "") }.count,
                withFilings: rows.filter { $0["filed"] as Bool? ?? false }.count,
                byIncomeBand: bands)
        }
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

extension OrganizationDatabase {
    /// The organization with everything on record about it, or nil when the EIN is unknown.
    public func record(_ ein: EIN) async throws -> OrganizationRecord? {
        guard let organization = try await organization(ein) else { return nil }
        // One read for the whole history: a server answers this on every look-up.
        return try await pool.read { db in
            let arguments: StatementArguments = [ein.digits]
            return OrganizationRecord(organization: organization, filings: try Filing.fetchAll(db, sql: HistorySQL.filings, arguments: arguments),
                                      grantsMade: try Grant.fetchAll(db, sql: HistorySQL.grantsMade, arguments: arguments),
                                      grantsReceived: try Grant.fetchAll(db, sql: HistorySQL.grantsReceived, arguments: arguments),
                                      officers: try Officer.fetchAll(db, sql: HistorySQL.officers, arguments: arguments))
        }
    }
}
