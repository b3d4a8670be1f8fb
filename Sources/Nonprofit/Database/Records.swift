import GRDB

/// An exempt organization: every column of the IRS Business Master File, typed. Codes keep their
/// leading zeros (text); amounts are whole dollars.
public struct Organization: Sendable, Hashable, Codable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "organizations"

    public var ein: String
    public var name: String
    public var inCareOf: String?
    public var street: String?
    public var city: String?
    public var state: String?
    public var zip: String?
    public var groupExemption: String?
    public var subsection: String?
    public var affiliation: String?
    public var classification: String?
    /// Ruling date, `YYYYMM`.
    public var ruling: String?
    public var deductibility: String?
    /// `02`/`03`/`04` are private foundations (990-PF filers).
    public var foundation: String?
    public var activity: String?
    public var organizationCode: String?
    public var status: String?
    /// The latest return's period, `YYYYMM`.
    public var taxPeriod: String?
    public var assetCode: String?
    public var incomeCode: String?
    public var filingRequirement: String?
    public var pfFilingRequirement: String?
    public var accountingPeriod: String?
    public var assets: Int?
    public var income: Int?
    public var revenue: Int?
    public var nteeCode: String?
    /// The NTEE major group, the code's letter (`P`).
    public var nteeMajor: String?
    public var sortName: String?
    /// Where the row came from: `bmf` or `propublica`.
    public var source: String

    enum CodingKeys: String, CodingKey, ColumnExpression, CaseIterable {
        case ein, name, inCareOf = "in_care_of", street, city, state, zip, groupExemption = "group_exemption", subsection, affiliation
        case classification, ruling, deductibility, foundation, activity, organizationCode = "organization_code", status
        case taxPeriod = "tax_period", assetCode = "asset_code", incomeCode = "income_code", filingRequirement = "filing_requirement"
        case pfFilingRequirement = "pf_filing_requirement", accountingPeriod = "accounting_period", assets, income, revenue
        case nteeCode = "ntee_code", nteeMajor = "ntee_major", sortName = "sort_name", source
    }

    /// Whether the BMF foundation code marks a private foundation.
    public var isPrivateFoundation: Bool { Self.privateFoundationCodes.contains(foundation ?? "") }

    /// The BMF foundation codes of private foundations.
    public static let privateFoundationCodes: Set<String> = ["02", "03", "04"]

    /// The EIN as `XX-XXXXXXX`.
    public var formattedEIN: String { EIN(trusted: ein).formatted }
}


extension Organization {
    /// Read column by column rather than through `Decodable`: a funder search reads thousands of rows,
    /// and the decoder's per-field lookups were most of its time.
    public init(row: Row) throws {
        ein = row[CodingKeys.ein.rawValue]
        name = row[CodingKeys.name.rawValue]
        inCareOf = row[CodingKeys.inCareOf.rawValue]
        street = row[CodingKeys.street.rawValue]
        city = row[CodingKeys.city.rawValue]
        state = row[CodingKeys.state.rawValue]
        zip = row[CodingKeys.zip.rawValue]
        groupExemption = row[CodingKeys.groupExemption.rawValue]
        subsection = row[CodingKeys.subsection.rawValue]
        affiliation = row[CodingKeys.affiliation.rawValue]
        classification = row[CodingKeys.classification.rawValue]
        ruling = row[CodingKeys.ruling.rawValue]
        deductibility = row[CodingKeys.deductibility.rawValue]
        foundation = row[CodingKeys.foundation.rawValue]
        activity = row[CodingKeys.activity.rawValue]
        organizationCode = row[CodingKeys.organizationCode.rawValue]
        status = row[CodingKeys.status.rawValue]
        taxPeriod = row[CodingKeys.taxPeriod.rawValue]
        assetCode = row[CodingKeys.assetCode.rawValue]
        incomeCode = row[CodingKeys.incomeCode.rawValue]
        filingRequirement = row[CodingKeys.filingRequirement.rawValue]
        pfFilingRequirement = row[CodingKeys.pfFilingRequirement.rawValue]
        accountingPeriod = row[CodingKeys.accountingPeriod.rawValue]
        assets = row[CodingKeys.assets.rawValue]
        income = row[CodingKeys.income.rawValue]
        revenue = row[CodingKeys.revenue.rawValue]
        nteeCode = row[CodingKeys.nteeCode.rawValue]
        nteeMajor = row[CodingKeys.nteeMajor.rawValue]
        sortName = row[CodingKeys.sortName.rawValue]
        source = row[CodingKeys.source.rawValue]
    }
}

extension Organization {
    /// A column's value, written out rather than through `Encodable` (an e-file import writes hundreds
    /// of thousands of rows, and the encoder was most of the cost of each); the switch covers every column.
    func databaseValue(_ column: CodingKeys) -> DatabaseValue {
        switch column {
        case .ein: ein.databaseValue
        case .name: name.databaseValue
        case .inCareOf: inCareOf.databaseValue
        case .street: street.databaseValue
        case .city: city.databaseValue
        case .state: state.databaseValue
        case .zip: zip.databaseValue
        case .groupExemption: groupExemption.databaseValue
        case .subsection: subsection.databaseValue
        case .affiliation: affiliation.databaseValue
        case .classification: classification.databaseValue
        case .ruling: ruling.databaseValue
        case .deductibility: deductibility.databaseValue
        case .foundation: foundation.databaseValue
        case .activity: activity.databaseValue
        case .organizationCode: organizationCode.databaseValue
        case .status: status.databaseValue
        case .taxPeriod: taxPeriod.databaseValue
        case .assetCode: assetCode.databaseValue
        case .incomeCode: incomeCode.databaseValue
        case .filingRequirement: filingRequirement.databaseValue
        case .pfFilingRequirement: pfFilingRequirement.databaseValue
        case .accountingPeriod: accountingPeriod.databaseValue
        case .assets: assets.databaseValue
        case .income: income.databaseValue
        case .revenue: revenue.databaseValue
        case .nteeCode: nteeCode.databaseValue
        case .nteeMajor: nteeMajor.databaseValue
        case .sortName: sortName.databaseValue
        case .source: source.databaseValue
        }
    }
}

/// One return of one organization for one tax period, from ProPublica, a 990 XML file or both
/// (`sources` lists them). Amounts in whole dollars; `nil` when the source does not give it.
public struct Filing: Sendable, Hashable, Codable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "filings"

    public var ein: String
    /// `YYYYMM` of the period's end.
    public var taxPeriod: Int
    /// The fiscal year's label: the year its period ends (`taxPeriod / 100`), for every source (see `FiscalYear`).
    public var taxYear: Int
    /// `990`, `990EZ` or `990PF`.
    public var formType: String
    public var sources: String
    public var totalRevenue: Int?
    public var totalExpenses: Int?
    public var contributions: Int?
    public var programServiceRevenue: Int?
    public var investmentIncome: Int?
    public var otherRevenue: Int?
    /// Part IX functional expenses (990 only): program services, management and general, fundraising.
    public var programExpenses: Int?
    public var managementExpenses: Int?
    public var fundraisingExpenses: Int?
    public var totalAssets: Int?
    public var totalLiabilities: Int?
    public var netAssets: Int?
    public var officerCompensation: Int?
    public var grantsPaid: Int?
    public var pdfURL: String?
    /// The mission statement the return gives (990 XML).
    public var mission: String? = nil
    /// The program service accomplishments (Part III), one paragraph each, blank-line separated.
    public var programDescriptions: String? = nil
    /// `YYYYMM` of the period's first month, when the return says (e-file XML); else a twelve-month year is assumed.
    public var periodStart: Int? = nil
    /// The prior year's total revenue and expenses, as the return itself states them (990 Part I, column "Prior Year").
    public var priorYearRevenue: Int? = nil
    public var priorYearExpenses: Int? = nil
    /// A 990-PF's disbursements for charitable purposes (Part I, line 26, column d): what it spent on its purpose.
    public var charitableDisbursements: Int? = nil
    /// A 990-PF's assets at fair market value at the end of the year (item I).
    public var fairMarketValueOfAssets: Int? = nil
    /// The IRS e-file object id of the return the figures came from (`202403589349300950`).
    public var objectID: String? = nil

    enum CodingKeys: String, CodingKey, ColumnExpression, CaseIterable {
        case ein, taxPeriod = "tax_period", taxYear = "tax_year", formType = "form_type", sources
        case totalRevenue = "total_revenue", totalExpenses = "total_expenses", contributions
        case programServiceRevenue = "program_service_revenue", investmentIncome = "investment_income", otherRevenue = "other_revenue"
        case programExpenses = "program_expenses", managementExpenses = "management_expenses", fundraisingExpenses = "fundraising_expenses"
        case totalAssets = "total_assets", totalLiabilities = "total_liabilities", netAssets = "net_assets"
        case officerCompensation = "officer_compensation", grantsPaid = "grants_paid", pdfURL = "pdf_url"
        case mission, programDescriptions = "program_descriptions", periodStart = "period_start"
        case priorYearRevenue = "prior_year_revenue", priorYearExpenses = "prior_year_expenses"
        case charitableDisbursements = "charitable_disbursements", fairMarketValueOfAssets = "fair_market_value_of_assets"
        case objectID = "object_id"
    }

    /// The fiscal year this filing covers.
    public var fiscalYear: FiscalYear { FiscalYear(periodEnd: taxPeriod, periodStart: periodStart) }
}

extension Filing {
    /// A column's value, written out rather than through `Encodable` (an e-file import writes hundreds
    /// of thousands of rows, and the encoder was most of the cost of each); the switch covers every column.
    func databaseValue(_ column: CodingKeys) -> DatabaseValue {
        switch column {
        case .ein: ein.databaseValue
        case .taxPeriod: taxPeriod.databaseValue
        case .taxYear: taxYear.databaseValue
        case .formType: formType.databaseValue
        case .sources: sources.databaseValue
        case .totalRevenue: totalRevenue.databaseValue
        case .totalExpenses: totalExpenses.databaseValue
        case .contributions: contributions.databaseValue
        case .programServiceRevenue: programServiceRevenue.databaseValue
        case .investmentIncome: investmentIncome.databaseValue
        case .otherRevenue: otherRevenue.databaseValue
        case .programExpenses: programExpenses.databaseValue
        case .managementExpenses: managementExpenses.databaseValue
        case .fundraisingExpenses: fundraisingExpenses.databaseValue
        case .totalAssets: totalAssets.databaseValue
        case .totalLiabilities: totalLiabilities.databaseValue
        case .netAssets: netAssets.databaseValue
        case .officerCompensation: officerCompensation.databaseValue
        case .grantsPaid: grantsPaid.databaseValue
        case .pdfURL: pdfURL.databaseValue
        case .mission: mission.databaseValue
        case .programDescriptions: programDescriptions.databaseValue
        case .periodStart: periodStart.databaseValue
        case .priorYearRevenue: priorYearRevenue.databaseValue
        case .priorYearExpenses: priorYearExpenses.databaseValue
        case .charitableDisbursements: charitableDisbursements.databaseValue
        case .fairMarketValueOfAssets: fairMarketValueOfAssets.databaseValue
        case .objectID: objectID.databaseValue
        }
    }
}

/// A grant paid, from Schedule I (to organizations, with their EIN) or a 990-PF (recipients by name).
public struct Grant: Sendable, Hashable, Codable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "grants"

    public var grantorEIN: String
    public var recipientEIN: String?
    public var recipientName: String
    public var recipientStreet: String?
    public var recipientCity: String?
    public var recipientState: String?
    public var recipientZip: String?
    /// `organization` or `person`.
    public var recipientKind: String
    /// Cash and non-cash together.
    public var amount: Int
    /// Schedule I's cash grant and non-cash assistance, kept apart (a 990-PF's grants are cash: nil here).
    public var cashAmount: Int? = nil
    public var nonCashAmount: Int? = nil
    /// The recipient's status as the grantor states it: an IRC section (`501(c)(3)`) or a foundation status (`PC`).
    public var recipientStatus: String? = nil
    public var purpose: String?
    public var taxYear: Int
    /// `schedule_i` or `990pf`.
    public var source: String

    public init(grantorEIN: String, recipientEIN: String?, recipientName: String, recipientStreet: String? = nil, recipientCity: String? = nil,
                recipientState: String?, recipientZip: String? = nil, recipientKind: String, amount: Int, purpose: String?, taxYear: Int,
                source: String) {
        self.grantorEIN = grantorEIN
        self.recipientEIN = recipientEIN
        self.recipientName = recipientName
        self.recipientStreet = recipientStreet
        self.recipientCity = recipientCity
        self.recipientState = recipientState
        self.recipientZip = recipientZip
        self.recipientKind = recipientKind
        self.amount = amount
        self.purpose = purpose
        self.taxYear = taxYear
        self.source = source
    }

    enum CodingKeys: String, CodingKey, ColumnExpression, CaseIterable {
        case grantorEIN = "grantor_ein", recipientEIN = "recipient_ein", recipientName = "recipient_name"
        case recipientStreet = "recipient_street", recipientCity = "recipient_city", recipientState = "recipient_state"
        case recipientZip = "recipient_zip", recipientKind = "recipient_kind", amount, purpose, taxYear = "tax_year", source
        case cashAmount = "cash_amount", nonCashAmount = "non_cash_amount", recipientStatus = "recipient_status"
    }
}

/// An officer, director, trustee or key employee listed in a return (990 Part VII, 990-PF Part VIII).
public struct Officer: Sendable, Hashable, Codable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "officers"

    public var ein: String
    public var taxYear: Int
    public var name: String
    public var title: String?
    public var hoursPerWeek: Double?
    public var compensation: Int?

    enum CodingKeys: String, CodingKey, ColumnExpression, CaseIterable {
        case ein, taxYear = "tax_year", name, title, hoursPerWeek = "hours_per_week", compensation
    }
}
