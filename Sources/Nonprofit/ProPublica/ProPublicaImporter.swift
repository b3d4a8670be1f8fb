import Foundation

/// Imports ProPublica Nonprofit Explorer API v2 organization responses
/// (`GET /api/v2/organizations/<ein>.json`): the `organization` object (the same fields as the
/// BMF) and `filings_with_data` (one filing per tax period; no functional-expense split).
public struct ProPublicaImporter {
    public let database: any OrganizationDatabase

    public init(database: any OrganizationDatabase) { self.database = database }

    /// What one response held.
    public struct Parsed: Sendable {
        public var organization: Organization
        public var filings: [Filing]
    }

    /// A response that cannot be used.
    public struct FormatError: Error, Sendable, CustomStringConvertible {
        public var source: String
        public var reason: String
        public var description: String { "\(source): \(reason)" }
    }

    /// Parses a response body.
    /// - Parameters:
    ///   - data: the JSON.
    ///   - source: the file or URL, for error messages.
    public static func parse(_ data: Data, source: String) throws -> Parsed {
        let json: Any
        do {
            json = try JSONSerialization.jsonObject(with: data)
        } catch {
            throw FormatError(source: source, reason: "not JSON (\(error.localizedDescription))")
        }
        guard let root = json as? [String: Any], let org = root["organization"] as? [String: Any] else {
            throw FormatError(source: source, reason: "no `organization` object: not an organizations/<ein>.json response")
        }
        guard let einNumber = JSONField.int(org["ein"]) else { throw FormatError(source: source, reason: "organization.ein is missing") }
        let ein: EIN
        do {
            ein = try EIN(String(format: "%09d", einNumber))
        } catch {
            throw FormatError(source: source, reason: "organization.ein: \(error.reason)")
        }
        func code(_ key: String, width: Int) -> String? {
            if let number = JSONField.int(org[key]) { return String(format: "%0\(width)d", number) }
            return JSONField.text(org[key])
        }
        func yearMonth(_ key: String) -> String? {
            // "1984-06-01" → "198406"
            guard let text = JSONField.text(org[key]), text.count >= 7 else { return nil }
            return String(text.prefix(4)) + String(text.dropFirst(5).prefix(2))
        }
        let ntee = JSONField.text(org["ntee_code"])?.uppercased()
        let organization = Organization(
            ein: ein.digits, name: JSONField.text(org["name"]) ?? "(unnamed)", inCareOf: JSONField.text(org["careofname"]),
            street: JSONField.text(org["address"]), city: JSONField.text(org["city"]), state: JSONField.text(org["state"]),
            zip: JSONField.text(org["zipcode"]), groupExemption: code("exemption_number", width: 4), subsection: code("subsection_code", width: 2),
            affiliation: code("affiliation_code", width: 1), classification: JSONField.text(org["classification_codes"]),
            ruling: yearMonth("ruling_date"), deductibility: code("deductibility_code", width: 1), foundation: code("foundation_code", width: 2),
            activity: JSONField.text(org["activity_codes"]), organizationCode: code("organization_code", width: 1),
            status: code("exempt_organization_status_code", width: 2), taxPeriod: yearMonth("tax_period"),
            assetCode: code("asset_code", width: 1), incomeCode: code("income_code", width: 1),
            filingRequirement: code("filing_requirement_code", width: 2), pfFilingRequirement: code("pf_filing_requirement_code", width: 1),
            accountingPeriod: code("accounting_period", width: 2), assets: JSONField.int(org["asset_amount"]),
            income: JSONField.int(org["income_amount"]), revenue: JSONField.int(org["revenue_amount"]),
            nteeCode: ntee, nteeMajor: ntee?.first.map(String.init), sortName: JSONField.text(org["sort_name"]), source: "propublica")
        let filings = (root["filings_with_data"] as? [[String: Any]] ?? []).compactMap { filing(from: $0, ein: ein) }
        return Parsed(organization: organization, filings: filings)
    }

    static func filing(from row: [String: Any], ein: EIN) -> Filing? {
        guard let period = JSONField.int(row["tax_prd"]) else { return nil }
        let form = JSONField.int(row["formtype"]) ?? 0
        func amount(_ keys: String...) -> Int? { keys.lazy.compactMap { JSONField.int(row[$0]) }.first }
        let revenue = amount("totrevenue", "totrevnue")
        let contributions = amount("totcntrbgfts", "totcntrbs")
        let program = amount("totprgmrevnue", "prgmservrev")
        let investment = amount("invstmntinc", "othrinvstinc")
        var other: Int?
        if let revenue, let contributions, let program {
            other = revenue - contributions - program - (investment ?? 0)
        }
        return Filing(
            ein: ein.digits, taxPeriod: period, taxYear: JSONField.int(row["tax_prd_yr"]) ?? period / 100,
            formType: form == 1 ? "990EZ" : form == 2 ? "990PF" : "990", sources: "propublica",
            totalRevenue: revenue, totalExpenses: amount("totfuncexpns", "totexpns"), contributions: contributions,
            programServiceRevenue: program, investmentIncome: investment, otherRevenue: other,
            programExpenses: nil, managementExpenses: nil, fundraisingExpenses: nil,
            totalAssets: amount("totassetsend"), totalLiabilities: amount("totliabend"), netAssets: amount("totnetassetend", "totnetassetsend"),
            officerCompensation: amount("compnsatncurrofcr"), grantsPaid: nil, pdfURL: JSONField.text(row["pdf_url"]))
    }

    /// Parses and stores one response: the organization (a BMF row already there is kept, as
    /// the BMF is the authority) and its filings.
    @discardableResult
    public func importResponse(_ data: Data, source: String) async throws -> Parsed {
        let parsed = try Self.parse(data, source: source)
        try await database.save(Self.batch([parsed]))
        return parsed
    }

    /// Parses and stores several response files in one transaction (nothing when one cannot be used).
    /// - Returns: what each file held, in order.
    public func importFiles(_ paths: [String]) async throws -> [Parsed] {
        let parsed = try paths.map { path in
            guard let data = FileManager.default.contents(atPath: path) else { throw FormatError(source: path, reason: "cannot read the file") }
            return try Self.parse(data, source: path)
        }
        try await database.save(Self.batch(parsed))
        return parsed
    }

    static func batch(_ responses: [Parsed]) -> RecordBatch {
        RecordBatch(organizations: responses.map(\.organization), filings: responses.flatMap(\.filings))
    }
}

/// Reading loosely typed JSON fields.
enum JSONField {
    static func int(_ value: Any?) -> Int? {
        switch value {
        case let number as NSNumber: return number.intValue
        case let text as String: return Int(text)
        default: return nil
        }
    }

    static func text(_ value: Any?) -> String? {
        switch value {
        case let text as String:
            let trimmed = text.trimmingCharacters(in: .whitespaces)
            return trimmed.isEmpty ? nil : trimmed
        case let number as NSNumber: return number.stringValue
        default: return nil
        }
    }
}
