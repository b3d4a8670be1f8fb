import Foundation
import PostgresNIO
import PostgresSupport

/// The organization database on a PostgreSQL server, shared by every machine of a team. Rows
/// travel as JSON both ways (`json_agg` out, `json_populate_recordset` in), decoded and encoded
/// by the records' own `Codable` conformances, so the column lists live in one place.
public final class PostgresOrganizationDatabase: OrganizationDatabase {
    let pool: PostgresPool
    public var location: String { pool.redactedURL }

    /// Connects to `url`, applies pending migrations and mends what an interrupted import left.
    /// - Throws: `PostgresURLError` for a URL that is not PostgreSQL's; the server's error when it cannot migrate.
    public init(url: String) async throws {
        pool = try PostgresPool(url: url, maximumConnections: 8, label: "catalynx.organizations")
        try await Self.schema.apply(on: pool)
        try await restoreAfterInterruptedImport()
    }

    // MARK: Queries

    /// SQL with numbered parameters, built piece by piece.
    struct Query {
        var sql = ""
        var binds = PostgresBindings()

        /// Adds a parameter and returns its placeholder.
        mutating func bind<Value: PostgresNonThrowingEncodable>(_ value: Value) -> String {
            binds.append(value)
            return "$\(binds.count)"
        }
    }

    /// The rows the query's SELECT returns, as records.
    func fetch<Record: Decodable>(_ query: Query) async throws -> [Record] {
        let wrapped = PostgresQuery(unsafeSQL: "SELECT coalesce(json_agg(t), '[]')::text FROM (\(query.sql)) t", binds: query.binds)
        for try await json in try await pool.client.query(wrapped, logger: pool.logger).decode(String.self) {
            return try JSONDecoder().decode([Record].self, from: Data(json.utf8))
        }
        return []
    }

    /// The rows a SELECT returns, as records; `$1`, `$2` … are the parameters.
    func fetch<Record: Decodable>(_ sql: String, _ parameters: String...) async throws -> [Record] {
        var query = Query(sql: sql)
        for parameter in parameters { _ = query.bind(parameter) }  // $1, $2 … in order
        return try await fetch(query)
    }

    static let organizationColumns = OrganizationQueries.organizationColumns.joined(separator: ", ")
    static let filingColumns = Filing.CodingKeys.allCases.map(\.rawValue).joined(separator: ", ")
    static let grantColumns = Grant.CodingKeys.allCases.map(\.rawValue).joined(separator: ", ")
    static let officerColumns = Officer.CodingKeys.allCases.map(\.rawValue).joined(separator: ", ")
    static let receiptColumns = ReturnReceipt.CodingKeys.allCases.map(\.rawValue).joined(separator: ", ")

    enum HistorySQL {
        static let filings = "SELECT \(filingColumns) FROM filings WHERE ein = $1 ORDER BY tax_period DESC"
        static let grantsMade = "SELECT \(grantColumns) FROM grants WHERE grantor_ein = $1 ORDER BY tax_year DESC, amount DESC, recipient_name"
        static let grantsReceived = "SELECT \(grantColumns) FROM grants WHERE recipient_ein = $1 ORDER BY tax_year DESC, amount DESC, recipient_name"
        static let officers = "SELECT \(officerColumns) FROM officers WHERE ein = $1 ORDER BY tax_year DESC, compensation DESC NULLS LAST, name"
    }

    // MARK: Look-ups

    public func organization(_ ein: EIN) async throws -> Organization? {
        let found: [Organization] = try await fetch("SELECT \(Self.organizationColumns) FROM organizations WHERE ein = $1", ein.digits)
        return found.first
    }

    public func record(_ ein: EIN) async throws -> OrganizationRecord? {
        // One round trip for the whole history: a server answers this on every look-up.
        let sql = """
            SELECT (SELECT row_to_json(o) FROM (SELECT \(Self.organizationColumns) FROM organizations WHERE ein = $1) o) AS organization,
                (SELECT coalesce(json_agg(f), '[]') FROM (\(HistorySQL.filings)) f) AS filings,
                (SELECT coalesce(json_agg(g), '[]') FROM (\(HistorySQL.grantsMade)) g) AS grants_made,
                (SELECT coalesce(json_agg(g), '[]') FROM (\(HistorySQL.grantsReceived)) g) AS grants_received,
                (SELECT coalesce(json_agg(p), '[]') FROM (\(HistorySQL.officers)) p) AS officers
            """
        struct Found: Decodable {
            var organization: Organization?
            var filings: [Filing], grantsMade: [Grant], grantsReceived: [Grant], officers: [Officer]
            enum CodingKeys: String, CodingKey {
                case organization, filings, grantsMade = "grants_made", grantsReceived = "grants_received", officers
            }
        }
        let rows: [Found] = try await fetch(sql, ein.digits)
        guard let found = rows.first, let organization = found.organization else { return nil }
        return OrganizationRecord(organization: organization, filings: found.filings, grantsMade: found.grantsMade,
                                  grantsReceived: found.grantsReceived, officers: found.officers)
    }

    public func filings(_ ein: EIN) async throws -> [Filing] { try await fetch(HistorySQL.filings, ein.digits) }
    public func grants(madeBy ein: EIN) async throws -> [Grant] { try await fetch(HistorySQL.grantsMade, ein.digits) }
    public func grants(receivedBy ein: EIN) async throws -> [Grant] { try await fetch(HistorySQL.grantsReceived, ein.digits) }
    public func officers(_ ein: EIN) async throws -> [Officer] { try await fetch(HistorySQL.officers, ein.digits) }

    public func search(_ search: OrganizationSearch) async throws -> [Organization] {
        var query = Query()
        var conditions: [String] = []
        var rank = ""
        let words = search.words
        if !words.isEmpty {
            // Every word as a prefix; the words hold letters and digits only.
            let terms = query.bind(words.map { "\($0):*" }.joined(separator: " & "))
            conditions.append("search @@ to_tsquery('simple', \(terms))")
            rank = "ts_rank(search, to_tsquery('simple', \(terms))) DESC, "
        }
        if let state = search.state { conditions.append("state = \(query.bind(state.uppercased()))") }
        if let ntee = search.ntee {
            let prefix = ntee.uppercased()
            conditions.append("ntee_code >= \(query.bind(prefix)) AND ntee_code < \(query.bind(OrganizationQueries.successor(of: prefix)))")
        }
        if search.foundationsOnly { conditions.append("foundation IN ('02', '03', '04')") }
        query.sql = """
            SELECT \(Self.organizationColumns) FROM organizations\(conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND "))
            ORDER BY \(rank)revenue DESC NULLS LAST, ein LIMIT \(query.bind(search.limit))
            """
        return try await fetch(query)
    }

    public func counts() async throws -> [String: Int] {
        struct Counts: Decodable { var organizations, filings, grants, officers: Int }
        let sql = ["organizations", "filings", "grants", "officers"].map { "(SELECT count(*) FROM \($0)) AS \($0)" }.joined(separator: ", ")
        let rows: [Counts] = try await fetch("SELECT " + sql)
        guard let counts = rows.first else { return [:] }
        return ["organizations": counts.organizations, "filings": counts.filings, "grants": counts.grants, "officers": counts.officers]
    }

    // MARK: Writing

    public func hasImported(_ source: String) async throws -> Bool {
        struct Found: Decodable { var source: String }
        let rows: [Found] = try await fetch("SELECT source FROM imports WHERE source = $1", source)
        return !rows.isEmpty
    }

    public func markImported(_ source: String, detail: String) async throws {
        let now = Date().timeIntervalSince1970
        try await pool.client.query("""
            INSERT INTO imports (source, imported_at, detail) VALUES (\(source), \(now), \(detail))
            ON CONFLICT (source) DO UPDATE SET imported_at = excluded.imported_at, detail = excluded.detail
            """, logger: pool.logger)
    }

    public func save(_ batch: RecordBatch) async throws {
        try await save(batch, refreshingGiving: true)
    }

    public func saveDeferringIndexes(_ batch: RecordBatch) async throws {
        try await save(batch, refreshingGiving: false)
    }

    /// The `imports` row that says the giving summaries are stale (a long import is under way, or died).
    static let staleMarker = "giving-summaries-stale"

    public func refreshDeferredIndexes() async throws {
        struct Found: Decodable { var source: String }
        let stale: [Found] = try await fetch("SELECT source FROM imports WHERE source = $1", Self.staleMarker)
        guard !stale.isEmpty else { return }
        let logger = pool.logger
        try await pool.transaction { connection in
            try await Self.refreshGiving(on: connection, filter: "1 = 1", binds: .init(), logger)
            try await connection.query("DELETE FROM imports WHERE source = \(Self.staleMarker)", logger: logger)
        }
    }

    public func bmfHistory(_ ein: EIN) async throws -> [BMFChange] {
        struct Row: Decodable {
            var import_id: Int, imported_at: Double, files: String, change: String, field: String?, old_value: String?, new_value: String?
        }
        let rows: [Row] = try await fetch(BMFHistory.organizationHistorySQL.replacingOccurrences(of: "?", with: "$1"), ein.digits)
        return rows.map { row in
            BMFChange(importID: row.import_id, importedAt: Date(timeIntervalSince1970: row.imported_at), files: row.files, change: row.change,
                      field: row.field, oldValue: row.old_value, newValue: row.new_value)
        }
    }

    public func importedReturns(among objectIDs: [String]) async throws -> [String: String] {
        guard !objectIDs.isEmpty else { return [:] }
        struct Found: Decodable { var object_id: String; var form_type: String }
        var query = Query()
        query.sql = "SELECT object_id, form_type FROM efile_returns WHERE object_id = ANY(\(query.bind(objectIDs)))"
        let found: [Found] = try await fetch(query)
        return Dictionary(found.map { ($0.object_id, $0.form_type) }, uniquingKeysWith: { first, _ in first })
    }

    /// Writes a batch in one transaction; the giving summaries of the grantors it touches are
    /// refreshed with it, or all are marked stale (`refreshDeferredIndexes`).
    private func save(_ batch: RecordBatch, refreshingGiving: Bool) async throws {
        let statements: [(String, String)] = [
            (Self.insert(into: "organizations", Self.organizationColumns)
                + " \(OrganizationQueries.mergeOrganization)",
             try Self.json(Self.deduplicated(batch.organizations, by: \.ein))),
            (Self.insert(into: "filings", Self.filingColumns) + " " + OrganizationQueries.mergeFiling { list, item in "position(\(item) in \(list)) > 0" },
             try Self.json(Self.deduplicated(batch.filings) { "\($0.ein) \($0.taxPeriod)" })),
            (Self.insert(into: "grants", Self.grantColumns) + " ON CONFLICT DO NOTHING", try Self.json(batch.grants)),
            (Self.insert(into: "officers", Self.officerColumns) + " ON CONFLICT DO NOTHING", try Self.json(batch.officers)),
            (OrganizationSchemaChanges.recordReturns(from: "SELECT \(Self.receiptColumns) FROM json_populate_recordset(NULL::efile_returns, $1::json)"),
             try Self.json(Self.deduplicated(batch.returns, by: \.objectID))),
        ]
        let logger = pool.logger
        var touched = Query()
        let filter = refreshingGiving ? GivingSummaries.touched(by: batch) { touched.list($0) } : nil
        let filterBinds = touched.binds
        try await pool.transaction { connection in
            if !refreshingGiving {
                let now = Date().timeIntervalSince1970
                try await connection.query("""
                    INSERT INTO imports (source, imported_at, detail) VALUES (\(Self.staleMarker), \(now), 'an e-file import')
                    ON CONFLICT (source) DO UPDATE SET imported_at = excluded.imported_at
                    """, logger: logger)
            }
            for (sql, rows) in statements {
                var binds = PostgresBindings()
                binds.append(rows)
                try await connection.query(PostgresQuery(unsafeSQL: sql, binds: binds), logger: logger)
            }
            if let filter { try await Self.refreshGiving(on: connection, filter: filter, binds: filterBinds, logger) }
        }
    }

    public func refreshGivingSummaries() async throws {
        let logger = pool.logger
        try await pool.transaction { connection in try await Self.refreshGiving(on: connection, filter: "1 = 1", binds: .init(), logger) }
    }

    /// Replaces the giving summaries of the grantors `filter` selects.
    static func refreshGiving(on connection: PostgresConnection, filter: String, binds: PostgresBindings, _ logger: Logger) async throws {
        for statement in GivingSummaries.refresh(filter: filter, concatenate: "string_agg") {
            try await connection.query(PostgresQuery(unsafeSQL: statement, binds: statement.contains(filter) ? binds : .init()), logger: logger)
        }
    }

    /// `INSERT INTO table (columns) SELECT columns FROM` the JSON array given as `$1`.
    static func insert(into table: String, _ columns: String) -> String {
        "INSERT INTO \(table) (\(columns)) SELECT \(columns) FROM json_populate_recordset(NULL::\(table), $1::json)"
    }

    static func json<Record: Encodable>(_ records: [Record]) throws -> String {
        String(decoding: try JSONEncoder().encode(records), as: UTF8.self)
    }

    /// One record per key, the last one given winning (one statement may not touch a row twice).
    static func deduplicated<Record>(_ records: [Record], by key: (Record) -> String) -> [Record] {
        var position: [String: Int] = [:]
        var kept: [Record] = []
        for record in records {
            if let index = position[key(record)] { kept[index] = record } else { position[key(record)] = kept.count; kept.append(record) }
        }
        return kept
    }
}

extension PostgresOrganizationDatabase.Query: SQLParameters {
    mutating func text(_ value: String) -> String { bind(value) }
    mutating func number(_ value: Double) -> String { bind(value) }
    mutating func list(_ values: [String]) -> String { "= ANY(\(bind(values)))" }
}
