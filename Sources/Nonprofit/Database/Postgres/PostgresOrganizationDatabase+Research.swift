import PostgresNIO

/// The queries grant research needs, as on SQLite. Every value reaches SQL as a bound parameter.
extension PostgresOrganizationDatabase {
    public func organizations(nteePrefix: String, state: String?, revenue: ClosedRange<Int>?,
                              excluding: Set<String>, limit: Int) async throws -> [Organization] {
        var query = Query()
        var sql = """
            SELECT \(Self.organizationColumns) FROM organizations
            WHERE ntee_code >= \(query.bind(nteePrefix)) AND ntee_code < \(query.bind(OrganizationQueries.successor(of: nteePrefix)))
            """
        if let state { sql += " AND state = \(query.bind(state))" }
        if let revenue {
            sql += " AND revenue BETWEEN \(query.bind(revenue.lowerBound)) AND \(query.bind(revenue.upperBound))"
            sql += " ORDER BY abs(revenue - \(query.bind(OrganizationQueries.middle(of: revenue)))), ein"
        } else {
            sql += " ORDER BY revenue DESC NULLS LAST, ein"
        }
        query.sql = sql + " LIMIT \(query.bind(limit + excluding.count))"
        let rows: [Organization] = try await fetch(query)
        return Array(rows.filter { !excluding.contains($0.ein) }.prefix(limit))
    }

    public func givingEvidence(_ giving: GivingQuery) async throws -> [GivingEvidence] {
        var summaries = Query()
        summaries.sql = giving.summariesSQL(&summaries)
        return giving.weigh(summaries: try await fetch(summaries))
    }

    public func grantmakersWithoutGrants(state: String?, region: [String], majors: [String], limit: Int) async throws -> [Organization] {
        var query = Query()
        query.sql = OrganizationQueries.grantmakersWithoutGrants(
            state: state, region: region, majors: majors, limit: limit,
            columns: OrganizationQueries.organizationColumns.map { "o.\($0)" }.joined(separator: ", "), &query)
        return try await fetch(query)
    }

    public func grantmakerCount() async throws -> Int {
        struct Count: Decodable { var grantmakers: Int }
        let rows: [Count] = try await fetch("SELECT grantmakers FROM funder_counts")
        return rows.first?.grantmakers ?? 0
    }

    public func organizations(withEINs eins: [String]) async throws -> [Organization] {
        guard !eins.isEmpty else { return [] }
        var query = Query()
        query.sql = "SELECT \(Self.organizationColumns) FROM organizations WHERE ein = ANY(\(query.bind(Array(Set(eins))))) ORDER BY ein"
        return try await fetch(query)
    }

    public func organizations(named names: [String]) async throws -> [Organization] {
        let upper = Array(Set(names.map { $0.uppercased() })).filter { !$0.isEmpty }.sorted()
        guard !upper.isEmpty else { return [] }
        var query = Query()
        query.sql = "SELECT \(Self.organizationColumns) FROM organizations WHERE upper(name) = ANY(\(query.bind(upper))) ORDER BY ein"
        return try await fetch(query)
    }

    public func grants(toRecipients eins: [String], named names: [String]) async throws -> [Grant] {
        let upper = Array(Set(names.map { $0.uppercased() })).filter { !$0.isEmpty }.sorted()
        guard !eins.isEmpty || !upper.isEmpty else { return [] }
        var query = Query()
        query.sql = """
            SELECT \(Self.grantColumns) FROM grants WHERE recipient_ein = ANY(\(query.bind(Array(Set(eins)).sorted())))
            UNION SELECT \(Self.grantColumns) FROM grants WHERE upper(recipient_name) = ANY(\(query.bind(upper))) AND \(OrganizationQueries.namedWithoutEIN)
            ORDER BY tax_year DESC, amount DESC, grantor_ein, recipient_name
            """
        return try await fetch(query)
    }

    public func filings(ofAny eins: [String]) async throws -> [String: [Filing]] {
        guard !eins.isEmpty else { return [:] }
        var query = Query()
        query.sql = "SELECT \(Self.filingColumns) FROM filings WHERE ein = ANY(\(query.bind(Array(Set(eins))))) ORDER BY ein, tax_period DESC"
        let filings: [Filing] = try await fetch(query)
        return Dictionary(grouping: filings, by: \.ein)
    }

    public func grants(madeByAny grantors: [String]) async throws -> [String: [Grant]] {
        guard !grantors.isEmpty else { return [:] }
        var query = Query()
        query.sql = """
            SELECT \(Self.grantColumns) FROM grants WHERE grantor_ein = ANY(\(query.bind(grantors)))
            ORDER BY tax_year DESC, amount DESC, recipient_name
            """
        let grants: [Grant] = try await fetch(query)
        return Dictionary(grouping: grants, by: \.grantorEIN)
    }

    public func officers(named written: [String], excluding ein: EIN, limit: Int) async throws -> OfficerListings {
        let names = OrganizationQueries.officerNames(written)
        let limit = max(0, limit)
        guard !names.isEmpty else { return OfficerListings(officers: [], counts: [:]) }
        // One probe per name through the name's index, stopped one row past the limit.
        var query = Query()
        query.sql = """
            SELECT o.* FROM unnest(\(query.bind(names))::text[]) AS n(name)
            CROSS JOIN LATERAL (SELECT \(Self.officerColumns) FROM officers p WHERE p.name = n.name AND p.ein <> \(query.bind(ein.digits))
                                LIMIT \(query.bind(limit + 1))) o
            """
        let rows: [Officer] = try await fetch(query)
        return OfficerListings(probes: Dictionary(grouping: rows, by: \.name).values.map { $0 }, limit: limit)
    }

    public func landscape(nteePrefix: String, state: String?) async throws -> OrganizationLandscape {
        var query = Query()
        var sql = """
            SELECT revenue, income_code, foundation, EXISTS (SELECT 1 FROM filings f WHERE f.ein = o.ein) AS filed
            FROM organizations o
            WHERE ntee_code >= \(query.bind(nteePrefix)) AND ntee_code < \(query.bind(OrganizationQueries.successor(of: nteePrefix)))
            """
        if let state { sql += " AND state = \(query.bind(state))" }
        query.sql = sql
        return OrganizationLandscape(members: try await fetch(query))
    }
}
