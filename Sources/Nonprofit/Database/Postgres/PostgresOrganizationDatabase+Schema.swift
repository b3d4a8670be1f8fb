import PostgresSupport

extension PostgresOrganizationDatabase {
    /// Text compared by byte, as SQLite compares it (NTEE prefix ranges, name order).
    private static let text = #"TEXT COLLATE "C""#

    /// Accented letters folded to their base letter, so that `cafe` finds CAFÉ (as SQLite's
    /// `remove_diacritics` tokenizer does). `translate` is immutable, so it may feed a stored column.
    private static func folded(_ column: String) -> String {
        "translate(coalesce(\(column), ''), 'ÀÁÂÃÄÅÇÈÉÊËÌÍÎÏÑÒÓÔÕÖÙÚÛÜÝàáâãäåçèéêëìíîïñòóôõöùúûüýÿ', "
            + "'AAAAAACEEEEIIIINOOOOOUUUUYaaaaaaceeeeiiiinooooouuuuyy')"
    }

    /// The secondary indexes of `organizations`: dropped during bulk imports, created again after
    /// (and on open, should a bulk import have been interrupted).
    static let organizationIndexes: [(name: String, definition: String)] = [
        ("organizations_ntee", "CREATE INDEX organizations_ntee ON organizations (ntee_code)"),
        ("organizations_state", "CREATE INDEX organizations_state ON organizations (state, ntee_code)"),
        ("organizations_zip", "CREATE INDEX organizations_zip ON organizations (zip)"),
        ("organizations_foundation", "CREATE INDEX organizations_foundation ON organizations (foundation, state, assets)"),
        (GivingSummaries.nameIndex.name, "CREATE INDEX \(GivingSummaries.nameIndex.name) ON organizations (\(GivingSummaries.nameIndex.columns))"),
        ("organizations_search", "CREATE INDEX organizations_search ON organizations USING gin (search)"),
    ]

    /// The organization database's schema on PostgreSQL, recorded in `organization_migrations`.
    public static let schema = PostgresSchema(name: "organizations", table: "organization_migrations", lockKey: 7201002, migrations: [
        .init(1, "organizations, filings, grants, officers", [
            """
            CREATE TABLE organizations (
                ein \(text) PRIMARY KEY CHECK (length(ein) = 9),
                name \(text) NOT NULL,
                in_care_of \(text), street \(text), city \(text), state \(text), zip \(text),
                group_exemption \(text), subsection \(text), affiliation \(text), classification \(text), ruling \(text),
                deductibility \(text), foundation \(text), activity \(text), organization_code \(text), status \(text),
                tax_period \(text), asset_code \(text), income_code \(text), filing_requirement \(text), pf_filing_requirement \(text),
                accounting_period \(text), assets BIGINT, income BIGINT, revenue BIGINT,
                ntee_code \(text), ntee_major \(text), sort_name \(text),
                source \(text) NOT NULL,
                search tsvector GENERATED ALWAYS AS (
                    setweight(to_tsvector('simple'::regconfig, \(folded("name"))), 'A')
                    || setweight(to_tsvector('simple'::regconfig, \(folded("sort_name"))), 'B')
                    || setweight(to_tsvector('simple'::regconfig, \(folded("city"))), 'C')) STORED
            )
            """,
        ] + organizationIndexes.map(\.definition) + [
            """
            CREATE TABLE filings (
                ein \(text) NOT NULL,
                tax_period INTEGER NOT NULL,
                tax_year INTEGER NOT NULL,
                form_type \(text) NOT NULL,
                sources \(text) NOT NULL,
                total_revenue BIGINT, total_expenses BIGINT, contributions BIGINT, program_service_revenue BIGINT,
                investment_income BIGINT, other_revenue BIGINT, program_expenses BIGINT, management_expenses BIGINT,
                fundraising_expenses BIGINT, total_assets BIGINT, total_liabilities BIGINT, net_assets BIGINT,
                officer_compensation BIGINT, grants_paid BIGINT, pdf_url \(text), mission \(text), program_descriptions \(text),
                PRIMARY KEY (ein, tax_period)
            )
            """,
            """
            CREATE TABLE grants (
                id BIGSERIAL PRIMARY KEY,
                grantor_ein \(text) NOT NULL,
                recipient_ein \(text),
                recipient_name \(text) NOT NULL,
                recipient_street \(text), recipient_city \(text), recipient_state \(text), recipient_zip \(text),
                recipient_kind \(text) NOT NULL,
                amount BIGINT NOT NULL,
                purpose \(text),
                tax_year INTEGER NOT NULL,
                source \(text) NOT NULL
            )
            """,
            """
            CREATE UNIQUE INDEX grants_identity ON grants (grantor_ein, tax_year, recipient_name, amount,
                coalesce(purpose, ''), coalesce(recipient_street, ''))
            """,
            "CREATE INDEX grants_recipient ON grants (recipient_ein)",
            """
            CREATE TABLE officers (
                ein \(text) NOT NULL,
                tax_year INTEGER NOT NULL,
                name \(text) NOT NULL,
                title \(text),
                hours_per_week DOUBLE PRECISION,
                compensation BIGINT,
                PRIMARY KEY (ein, tax_year, name)
            )
            """,
            "CREATE INDEX officers_name ON officers (name)",
            "CREATE TABLE imports (source \(text) PRIMARY KEY, imported_at DOUBLE PRECISION NOT NULL, detail \(text) NOT NULL)",
        ]),
        .init(2, "fiscal-year start, prior-year figures, 990-PF disbursements, object ids, grant cash split",
              OrganizationSchemaChanges.v3.map { $0.replacingOccurrences(of: " INTEGER", with: " BIGINT") }
                + OrganizationSchemaChanges.relabelFiscalYears(containsXML: "position('irs990_xml' in f.sources) > 0")),
        .init(3, "indexes for funder research", OrganizationSchemaChanges.v4),
        .init(4, "giving summaries", OrganizationSchemaChanges.v5(concatenate: "string_agg").map {
            $0.replacingOccurrences(of: " TEXT", with: " \(text)").replacingOccurrences(of: " INTEGER", with: " BIGINT")
                .replacingOccurrences(of: " REAL", with: " DOUBLE PRECISION")
        }),
        .init(5, "imported e-file returns, BMF history", OrganizationSchemaChanges.v6.map {
            $0.replacingOccurrences(of: " TEXT", with: " \(text)").replacingOccurrences(of: " INTEGER", with: " BIGINT")
                .replacingOccurrences(of: " REAL", with: " DOUBLE PRECISION")
        }),
    ])
}
