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

    public func grantmakers(nteeMajors: [String]?, state: String?) async throws -> [Organization] {
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
                SELECT * FROM organizations WHERE foundation = '04'\(finalScreen)
                UNION SELECT o.* FROM organizations o WHERE o.ein IN (SELECT DISTINCT grantor_ein FROM grants)
                UNION SELECT o.* FROM organizations o WHERE o.ein IN (SELECT ein FROM filings WHERE grants_paid > 0)
                ORDER BY ein
                """, arguments: finalArguments)
        }
    }

    public func grantmakerCount() async throws -> Int {
        try await pool.read { db in
            try Int.fetchOne(db, sql: """
                SELECT COUNT(*) FROM (SELECT ein FROM organizations WHERE foundation = '04'
                UNION SELECT grantor_ein FROM grants UNION SELECT ein FROM filings WHERE grants_paid > 0)
                """) ?? 0
        }
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

    public func grants(toRecipientsNamed names: [String]) async throws -> [Grant] {
        let upper = Array(Set(names.map { $0.uppercased() })).filter { !$0.isEmpty }
        guard !upper.isEmpty else { return [] }
        let placeholders = Array(repeating: "?", count: upper.count).joined(separator: ", ")
        return try await pool.read { db in
            try Grant.fetchAll(db, sql: """
                SELECT * FROM grants WHERE upper(recipient_name) IN (\(placeholders)) AND recipient_ein IS NULL
                ORDER BY tax_year DESC, amount DESC, grantor_ein
                """, arguments: StatementArguments(upper))
        }
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

    public func grantorEINs() async throws -> Set<String> {
        try await pool.read { db in Set(try String.fetchAll(db, sql: "SELECT DISTINCT grantor_ein FROM grants")) }
    }

    public func officers(named written: [String], excluding ein: EIN) async throws -> [Officer] {
        let names = OrganizationQueries.officerNames(written)
        guard !names.isEmpty else { return [] }
        let placeholders = Array(repeating: "?", count: names.count).joined(separator: ", ")
        return try await pool.read { db in
            try Officer.fetchAll(db, sql: """
                SELECT * FROM officers WHERE name IN (\(placeholders)) AND ein <> ?
                ORDER BY tax_year DESC, ein, name
                """, arguments: StatementArguments(names + [ein.digits]))
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
