import GRDB

/// The queries grant research needs: peers, candidate funders, shared officers, landscape counts.
/// Every value reaches SQL as a bound argument.
extension SQLiteOrganizationDatabase {
    public func organizations(nteePrefix: String, state: String?, revenue: ClosedRange<Int>?,
                              excluding: Set<String>, limit: Int) async throws -> [Organization] {
        var sql = "SELECT * FROM organizations WHERE ntee_code >= ? AND ntee_code < ?"
        var arguments: StatementArguments = [nteePrefix, OrganizationQueries.successor(of: nteePrefix)]
        if let state { sql += " AND state = ?"; arguments += [state] }
        if let revenue {
            sql += " AND revenue BETWEEN ? AND ? ORDER BY abs(revenue - ?), ein"
            arguments += [revenue.lowerBound, revenue.upperBound, OrganizationQueries.middle(of: revenue)]
        } else {
            sql += " ORDER BY revenue DESC NULLS LAST, ein"
        }
        sql += " LIMIT ?"
        arguments += [limit + excluding.count]
        let (finalSQL, finalArguments) = (sql, arguments)
        let rows = try await pool.read { db in try Organization.fetchAll(db, sql: finalSQL, arguments: finalArguments) }
        return Array(rows.filter { !excluding.contains($0.ein) }.prefix(limit))
    }

    public func givingEvidence(_ query: GivingQuery) async throws -> [GivingEvidence] {
        var parameters = SQLiteParameters()
        let sql = query.summariesSQL(&parameters)
        let arguments = parameters.arguments
        let summaries = try await pool.read { db in
            var summaries: [GivingSummary] = []
            let rows = try Row.fetchCursor(db, sql: sql, arguments: arguments)
            while let row = try rows.next() { summaries.append(GivingSummary(row: row)) }
            return summaries
        }
        return query.weigh(summaries: summaries)
    }

    public func grantmakersWithoutGrants(state: String?, region: [String], majors: [String], limit: Int) async throws -> [Organization] {
        var parameters = SQLiteParameters()
        let sql = OrganizationQueries.grantmakersWithoutGrants(state: state, region: region, majors: majors, limit: limit, &parameters)
        let arguments = parameters.arguments
        return try await pool.read { db in try Organization.fetchAll(db, sql: sql, arguments: arguments) }
    }

    public func grantmakerCount() async throws -> Int {
        try await pool.read { db in try Int.fetchOne(db, sql: "SELECT grantmakers FROM funder_counts") ?? 0 }
    }

    public func organizations(withEINs eins: [String]) async throws -> [Organization] {
        guard !eins.isEmpty else { return [] }
        let unique = Array(Set(eins))
        let placeholders = Array(repeating: "?", count: unique.count).joined(separator: ", ")
        return try await pool.read { db in
            try Organization.fetchAll(db, sql: "SELECT * FROM organizations WHERE ein IN (\(placeholders)) ORDER BY ein",
                                      arguments: StatementArguments(unique))
        }
    }

    public func organizations(named names: [String]) async throws -> [Organization] {
        let upper = Array(Set(names.map { $0.uppercased() })).filter { !$0.isEmpty }.sorted()
        guard !upper.isEmpty else { return [] }
        var parameters = SQLiteParameters()
        let sql = "SELECT * FROM organizations WHERE upper(name) \(parameters.list(upper)) ORDER BY ein"
        let arguments = parameters.arguments
        return try await pool.read { db in try Organization.fetchAll(db, sql: sql, arguments: arguments) }
    }

    public func grants(toRecipients eins: [String], named names: [String]) async throws -> [Grant] {
        let upper = Array(Set(names.map { $0.uppercased() })).filter { !$0.isEmpty }.sorted()
        guard !eins.isEmpty || !upper.isEmpty else { return [] }
        var parameters = SQLiteParameters()
        let sql = """
            SELECT * FROM grants WHERE recipient_ein \(parameters.list(Array(Set(eins)).sorted()))
            UNION SELECT * FROM grants WHERE upper(recipient_name) \(parameters.list(upper)) AND \(OrganizationQueries.namedWithoutEIN)
            ORDER BY tax_year DESC, amount DESC, grantor_ein, recipient_name
            """
        let arguments = parameters.arguments
        return try await pool.read { db in try Grant.fetchAll(db, sql: sql, arguments: arguments) }
    }

    public func filings(ofAny eins: [String]) async throws -> [String: [Filing]] {
        guard !eins.isEmpty else { return [:] }
        let unique = Array(Set(eins))
        let placeholders = Array(repeating: "?", count: unique.count).joined(separator: ", ")
        let filings = try await pool.read { db in
            try Filing.fetchAll(db, sql: "SELECT * FROM filings WHERE ein IN (\(placeholders)) ORDER BY ein, tax_period DESC",
                                arguments: StatementArguments(unique))
        }
        return Dictionary(grouping: filings, by: \.ein)
    }

    public func grants(madeByAny grantors: [String]) async throws -> [String: [Grant]] {
        guard !grantors.isEmpty else { return [:] }
        let placeholders = Array(repeating: "?", count: grantors.count).joined(separator: ", ")
        let grants = try await pool.read { db in
            try Grant.fetchAll(db, sql: "SELECT * FROM grants WHERE grantor_ein IN (\(placeholders)) ORDER BY tax_year DESC, amount DESC, recipient_name",
                               arguments: StatementArguments(grantors))
        }
        return Dictionary(grouping: grants, by: \.grantorEIN)
    }

    public func officers(named written: [String], excluding ein: EIN, limit: Int) async throws -> OfficerListings {
        let names = OrganizationQueries.officerNames(written)
        let limit = max(0, limit)
        return try await pool.read { db in
            // One probe per name through the name's index, stopped one row past the limit.
            let probe = try db.cachedStatement(sql: "SELECT * FROM officers WHERE name = ? AND ein <> ? LIMIT ?")
            let probes = try names.map { name in try Officer.fetchAll(probe, arguments: [name, ein.digits, limit + 1]) }
            return OfficerListings(probes: probes, limit: limit)
        }
    }

    public func landscape(nteePrefix: String, state: String?) async throws -> OrganizationLandscape {
        var filter = "ntee_code >= ? AND ntee_code < ?"
        var arguments: StatementArguments = [nteePrefix, OrganizationQueries.successor(of: nteePrefix)]
        if let state { filter += " AND state = ?"; arguments += [state] }
        let (finalFilter, finalArguments) = (filter, arguments)
        return try await pool.read { db in
            let rows = try Row.fetchAll(db, sql: """
                SELECT revenue, income_code, foundation, EXISTS (SELECT 1 FROM filings f WHERE f.ein = o.ein) AS filed
                FROM organizations o WHERE \(finalFilter)
                """, arguments: finalArguments)
            return OrganizationLandscape(members: rows.map {
                OrganizationLandscape.Member(revenue: $0["revenue"], incomeCode: $0["income_code"], foundation: $0["foundation"],
                                             filed: $0["filed"] as Bool? ?? false)
            })
        }
    }
}

/// SQLite's numbered parameters (`?1`, `?2` …), so that one placeholder may appear more than once.
struct SQLiteParameters: SQLParameters {
    private(set) var arguments = StatementArguments()
    private var count = 0

    mutating func text(_ value: String) -> String { append(value) }
    mutating func number(_ value: Double) -> String { append(value) }
    mutating func list(_ values: [String]) -> String { "IN (" + values.map { append($0) }.joined(separator: ", ") + ")" }

    private mutating func append(_ value: some DatabaseValueConvertible) -> String {
        arguments += [value]
        count += 1
        return "?\(count)"
    }
}

extension GivingSummary {
    /// From a row of `GivingQuery.summariesSQL` (its columns in `CodingKeys` order).
    init(row: Row) {
        self.init(grantorEIN: row[0], grants: row[1], dollars: row[2], placedDollars: row[3], knownCauseDollars: row[4], medianGrant: row[5],
                  smallestGrant: row[6], largestGrant: row[7], firstYear: row[8], latestYear: row[9], latestPaidYear: row[10],
                  latestNewShare: row[11], mainState: row[12], assets: row[13], giving: row[14])
    }
}
