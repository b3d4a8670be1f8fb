import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// One IRS e-file return (990, 990-EZ or 990-PF) read from its public XML.
public struct Form990Return: Sendable {
    public var ein: EIN
    public var name: String
    public var formType: String
    public var filing: Filing
    public var grants: [Grant]
    public var officers: [Officer]
    /// The mission or primary-activity text, when the return states one.
    public var mission: String?
    /// Program service accomplishment descriptions (990 Part III).
    public var programDescriptions: [String]
}

/// Reads 990, 990-EZ and 990-PF e-file XML, with both the 2013-era and the current tag names.
/// Unknown elements are ignored.
public enum Form990Parser {
    public struct ParseError: Error, Sendable, CustomStringConvertible {
        public var source: String
        public var reason: String
        public var description: String { "\(source): \(reason)" }
    }

    /// Parses one return.
    /// - Parameters:
    ///   - data: the XML document.
    ///   - source: its file name, for errors.
    public static func parse(_ data: Data, source: String) throws -> Form990Return {
        let collector = Collector()
        let parser = XMLParser(data: data)
        parser.delegate = collector
        parser.shouldProcessNamespaces = false
        guard parser.parse() else {
            let line = parser.lineNumber
            throw ParseError(source: source, reason: "malformed XML at line \(line): \(parser.parserError?.localizedDescription ?? "unknown error")")
        }
        guard collector.sawReturn else { throw ParseError(source: source, reason: "not an IRS e-file return (no <Return> element)") }
        let fields = Fields(values: collector.values)
        guard let einText = fields.first("ReturnHeader/Filer/EIN") else { throw ParseError(source: source, reason: "no filer EIN in the return header") }
        let ein: EIN
        do { ein = try EIN(einText) } catch { throw ParseError(source: source, reason: "filer EIN: \(error.reason)") }
        let rawForm = fields.first("ReturnHeader/ReturnTypeCd", "ReturnHeader/ReturnType") ?? ""
        let formType = rawForm.replacingOccurrences(of: "-", with: "").uppercased()
        guard ["990", "990EZ", "990PF"].contains(formType) else {
            throw ParseError(source: source, reason: "return type '\(rawForm)' is not 990, 990EZ or 990PF")
        }
        let periodEnd = fields.first("ReturnHeader/TaxPeriodEndDt", "ReturnHeader/TaxPeriodEndDate") ?? ""
        let digits = periodEnd.filter(\.isNumber)
        guard digits.count >= 6, let taxPeriod = Int(digits.prefix(6)) else {
            throw ParseError(source: source, reason: "no tax period end date in the return header")
        }
        let taxYear = fields.int("ReturnHeader/TaxYr", "ReturnHeader/TaxYear") ?? taxPeriod / 100
        let name = fields.first("ReturnHeader/Filer/BusinessName/BusinessNameLine1Txt", "ReturnHeader/Filer/BusinessName/BusinessNameLine1",
                                "ReturnHeader/Filer/Name/BusinessNameLine1") ?? "(unnamed)"
        var filing = Filing(ein: ein.digits, taxPeriod: taxPeriod, taxYear: taxYear, formType: formType, sources: "irs990_xml")
        switch formType {
        case "990":
            filing.totalRevenue = fields.int("CYTotalRevenueAmt", "TotalRevenueCurrentYear", "TotalRevenueGrp/TotalRevenueColumnAmt")
            filing.totalExpenses = fields.int("CYTotalExpensesAmt", "TotalExpensesCurrentYear", "TotalFunctionalExpensesGrp/TotalAmt")
            filing.contributions = fields.int("CYContributionsGrantsAmt", "ContributionsGrantsCurrentYear", "TotalContributionsAmt")
            filing.programServiceRevenue = fields.int("CYProgramServiceRevenueAmt", "ProgramServiceRevenueCY")
            filing.investmentIncome = fields.int("CYInvestmentIncomeAmt", "InvestmentIncomeCurrentYear")
            filing.otherRevenue = fields.int("CYOtherRevenueAmt", "OtherRevenueCurrentYear")
            filing.programExpenses = fields.int("TotalFunctionalExpensesGrp/ProgramServicesAmt", "TotalFunctionalExpenses/ProgramServices")
            filing.managementExpenses = fields.int("TotalFunctionalExpensesGrp/ManagementAndGeneralAmt", "TotalFunctionalExpenses/ManagementAndGeneral")
            filing.fundraisingExpenses = fields.int("TotalFunctionalExpensesGrp/FundraisingAmt", "TotalFunctionalExpenses/Fundraising")
            filing.totalAssets = fields.int("TotalAssetsEOYAmt", "TotalAssetsEOY", "TotalAssetsGrp/EOYAmt")
            filing.totalLiabilities = fields.int("TotalLiabilitiesEOYAmt", "TotalLiabilitiesEOY", "TotalLiabilitiesGrp/EOYAmt")
            filing.netAssets = fields.int("NetAssetsOrFundBalancesEOYAmt", "NetAssetsOrFundBalancesEOY")
            filing.grantsPaid = fields.int("CYGrantsAndSimilarPaidAmt", "GrantsAndSimilarAmntsCY")
            filing.officerCompensation = fields.int("CompCurrentOfcrDirectorsGrp/TotalAmt", "CompCurrentOfficersDirectors/Total")
        case "990EZ":
            filing.totalRevenue = fields.int("IRS990EZ/TotalRevenueAmt", "IRS990EZ/TotalRevenue")
            filing.totalExpenses = fields.int("IRS990EZ/TotalExpensesAmt", "IRS990EZ/TotalExpenses")
            filing.contributions = fields.int("ContributionsGiftsGrantsEtcAmt", "ContributionsGiftsGrantsEtc")
            filing.programServiceRevenue = fields.int("IRS990EZ/ProgramServiceRevenueAmt", "IRS990EZ/ProgramServiceRevenue")
            filing.investmentIncome = fields.int("IRS990EZ/InvestmentIncomeAmt", "IRS990EZ/InvestmentIncome")
            filing.programExpenses = fields.int("TotalProgramServiceExpensesAmt", "TotalProgramServiceExpenses")
            filing.totalAssets = fields.int("Form990TotalAssetsGrp/EOYAmt", "Form990TotalAssets/EOY")
            filing.totalLiabilities = fields.int("SumOfTotalLiabilitiesGrp/EOYAmt", "SumOfTotalLiabilities/EOY")
            filing.netAssets = fields.int("NetAssetsOrFundBalancesGrp/EOYAmt", "NetAssetsOrFundBalances/EOY")
            filing.grantsPaid = fields.int("GrantsAndSimilarAmountsPaidAmt", "GrantsAndSimilarAmountsPaid")
        default:
            filing.totalRevenue = fields.int("AnalysisOfRevenueAndExpenses/TotalRevAndExpnssAmt", "AnalysisOfRevenueAndExpenses/TotalRevenueAndExpenses")
            filing.totalExpenses = fields.int("AnalysisOfRevenueAndExpenses/TotalExpensesRevAndExpnssAmt",
                                              "AnalysisOfRevenueAndExpenses/TotalExpensesRevAndExpnss")
            filing.contributions = fields.int("AnalysisOfRevenueAndExpenses/ContriRcvdRevAndExpnssAmt",
                                              "AnalysisOfRevenueAndExpenses/ContriRcvdRevAndExpnss")
            filing.grantsPaid = fields.int("AnalysisOfRevenueAndExpenses/ContriPaidRevAndExpnssAmt", "TotalGrantOrContriPdDurYrAmt")
            filing.totalAssets = fields.int("Form990PFBalanceSheetsGrp/TotalAssetsEOYAmt", "TotalAssetsEOYAmt", "TotalAssetsEOY")
            filing.totalLiabilities = fields.int("Form990PFBalanceSheetsGrp/TotalLiabilitiesEOYAmt", "TotalLiabilitiesEOYAmt")
            filing.netAssets = fields.int("TotNetAstOrFundBalancesEOYAmt", "TotalNetAstOrFundBalancesEOYAmt")
            filing.officerCompensation = fields.int("AnalysisOfRevenueAndExpenses/CompOfcrDirTrstRevAndExpnssAmt")
        }
        let grants = collector.groups.compactMap { group -> Grant? in
            switch group.kind {
            case .scheduleIGrant: return scheduleIGrant(Fields(values: group.values), grantor: ein, year: taxYear)
            case .foundationGrant: return foundationGrant(Fields(values: group.values), grantor: ein, year: taxYear)
            case .officer: return nil
            }
        }
        let officers = collector.groups.compactMap { group -> Officer? in
            guard group.kind == .officer else { return nil }
            let values = Fields(values: group.values)
            guard let person = values.first("PersonNm", "NameOfIndividual", "PersonName", "BusinessName/BusinessNameLine1Txt") else { return nil }
            return Officer(ein: ein.digits, taxYear: taxYear, name: person, title: values.first("TitleTxt", "Title"),
                           hoursPerWeek: values.first("AverageHoursPerWeekRt", "AverageHrsPerWkDevotedToPosRt", "AverageHoursPerWeek").flatMap(Double.init),
                           compensation: values.int("ReportableCompFromOrgAmt", "CompensationAmt", "Compensation", "ReportableCompFromOrganization"))
        }
        let programs = collector.values.filter { $0.key.hasSuffix("/DescriptionProgramSrvcAccomTxt") || $0.key.hasSuffix("/Description") }
            .sorted { $0.key < $1.key }.map(\.value)
        let mission = fields.first("MissionDesc", "ActivityOrMissionDesc", "PrimaryExemptPurposeTxt", "PrimaryExemptPurpose", "Desc")
        filing.mission = mission
        filing.programDescriptions = programs.isEmpty ? nil : programs.joined(separator: "\n\n")
        return Form990Return(
            ein: ein, name: name, formType: formType, filing: filing, grants: grants, officers: officers,
            mission: mission, programDescriptions: programs)
    }

    private static func scheduleIGrant(_ values: Fields, grantor: EIN, year: Int) -> Grant? {
        guard let name = values.first("RecipientBusinessName/BusinessNameLine1Txt", "RecipientBusinessName/BusinessNameLine1",
                                      "RecipientNameBusiness/BusinessNameLine1") else { return nil }
        let cash = values.int("CashGrantAmt", "AmountOfCashGrant") ?? 0
        let nonCash = values.int("NonCashAssistanceAmt", "AmountOfNonCashAssistance") ?? 0
        return Grant(
            grantorEIN: grantor.digits, recipientEIN: values.first("RecipientEIN", "EINOfRecipient").flatMap { try? EIN($0).digits },
            recipientName: name, recipientStreet: values.first("AddressLine1Txt", "AddressLine1"), recipientCity: values.first("CityNm", "City"),
            recipientState: values.first("StateAbbreviationCd", "State"), recipientZip: values.first("ZIPCd", "ZIPCode"),
            recipientKind: "organization", amount: cash + nonCash, purpose: values.first("PurposeOfGrantTxt", "PurposeOfGrant"),
            taxYear: year, source: "schedule_i")
    }

    private static func foundationGrant(_ values: Fields, grantor: EIN, year: Int) -> Grant? {
        let business = values.first("RecipientBusinessName/BusinessNameLine1Txt", "RecipientBusinessName/BusinessNameLine1")
        let person = values.first("RecipientPersonNm", "RecipientPersonName")
        guard let name = business ?? person, let amount = values.int("Amt", "Amount") else { return nil }
        return Grant(
            grantorEIN: grantor.digits, recipientEIN: nil, recipientName: name, recipientStreet: values.first("AddressLine1Txt", "AddressLine1"),
            recipientCity: values.first("CityNm", "City"), recipientState: values.first("StateAbbreviationCd", "State"),
            recipientZip: values.first("ZIPCd", "ZIPCode"), recipientKind: business == nil ? "person" : "organization",
            amount: amount, purpose: values.first("GrantOrContributionPurposeTxt", "PurposeOfGrantOrContribution"),
            taxYear: year, source: "990pf")
    }

    /// Values by element path, looked up by path suffix so that a concept is found wherever
    /// the schema version puts it.
    private struct Fields {
        let values: [String: String]

        func first(_ suffixes: String...) -> String? { first(suffixes) }

        func first(_ suffixes: [String]) -> String? {
            for suffix in suffixes {
                if let exact = values[suffix] { return exact }
                let match = values.filter { $0.key.hasSuffix("/" + suffix) }.min { $0.key.count < $1.key.count }
                if let match { return match.value }
            }
            return nil
        }

        func int(_ suffixes: String...) -> Int? {
            first(suffixes).flatMap { Int($0.trimmingCharacters(in: .whitespaces)) ?? Double($0).map { Int($0.rounded()) } }
        }
    }
}

/// The SAX delegate: keeps the first value of every element path, and the members of each
/// repeating group (grant, officer) separately.
private final class Collector: NSObject, XMLParserDelegate {
    enum GroupKind { case scheduleIGrant, foundationGrant, officer }

    static let groupKinds: [String: GroupKind] = [
        "RecipientTable": .scheduleIGrant,
        "GrantOrContributionPdDurYrGrp": .foundationGrant, "GrantOrContributionPdDurYr": .foundationGrant,
        "Form990PartVIISectionAGrp": .officer, "Form990PartVIISectionA": .officer,
        "OfficerDirTrstKeyEmplGrp": .officer, "OfficerDirTrstKeyEmpl": .officer,
        "OfficerDirectorTrusteeEmplGrp": .officer, "OfficerDirectorTrusteeKeyEmpl": .officer,
    ]

    var stack: [String] = []
    var text = ""
    var values: [String: String] = [:]
    var groups: [(kind: GroupKind, values: [String: String])] = []
    private var open: (kind: GroupKind, depth: Int, values: [String: String])?
    var sawReturn = false

    func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String] = [:]) {
        let name = elementName.split(separator: ":").last.map(String.init) ?? elementName
        if stack.isEmpty, name == "Return" { sawReturn = true }
        stack.append(name)
        text = ""
        if open == nil, let kind = Self.groupKinds[name] { open = (kind, stack.count, [:]) }
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) { text += string }

    func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName: String?) {
        let value = text.trimmingCharacters(in: .whitespacesAndNewlines)
        if !value.isEmpty {
            let path = stack.dropFirst().joined(separator: "/")
            if let group = open {
                let relative = stack.dropFirst(group.depth).joined(separator: "/")
                if open?.values[relative] == nil { open?.values[relative] = value }
            } else if values[path] == nil {
                values[path] = value
            }
        }
        text = ""
        if let group = open, group.depth == stack.count {
            groups.append((group.kind, group.values))
            open = nil
        }
        stack.removeLast()
    }
}
