import Foundation

/// One IRS e-file return (990, 990-EZ or 990-PF) read from its public XML.
public struct Form990Return: Sendable {
    public var ein: EIN
    public var formType: String
    /// Who filed it, as the return header and the form's status boxes describe it: name, address, the
    /// 501(c) paragraph (`92` for a section 4947(a)(1) trust), a foundation code for a 990-PF, the
    /// return's period. A better source keeps what it has (see `OrganizationDatabase.save`).
    public var organization: Organization
    public var filing: Filing
    public var grants: [Grant]
    public var officers: [Officer]

    /// The mission or primary-activity text, when the return states one.
    public var mission: String? { filing.mission }
    /// Program service accomplishments (990 Part III, 990-EZ Part III, 990-PF Part IX-A).
    public var programDescriptions: [String] { filing.programDescriptions?.components(separatedBy: "\n\n") ?? [] }

}

/// Reads 990, 990-EZ and 990-PF e-file XML of every schema year (2009-era names such as
/// `TotalRevenueCurrentYear` and `NamePerson`, and the 2013-on names such as `CYTotalRevenueAmt`
/// and `PersonNm`). Each figure is looked up inside its own form (never in a schedule), and texts
/// only where the form puts them: a description of an expense line is never taken for a program.
public enum Form990Parser {
    /// Why a file is not a return that can be imported; `line` and `column` when the XML itself is broken.
    public struct ParseError: Error, Sendable, CustomStringConvertible {
        public var source: String
        public var line: Int?
        public var column: Int?
        public var reason: String

        public init(source: String, line: Int? = nil, column: Int? = nil, reason: String) {
            (self.source, self.line, self.column, self.reason) = (source, line, column, reason)
        }

        /// `file:line:column: reason`, or `file: reason` when the XML itself was fine.
        public var description: String {
            guard let line, let column else { return "\(source): \(reason)" }
            return "\(source):\(line):\(column): \(reason)"
        }
    }

    /// Parses one return.
    /// - Parameters:
    ///   - data: the XML document.
    ///   - source: its file name, for errors (and, when it is named `OBJECTID_public.xml`, the e-file object id).
    public static func parse(_ data: Data, source: String) throws(ParseError) -> Form990Return {
        var reader = Reader()
        return try reader.parse(data, source: source)
    }

    /// Reads returns one after another, faster than one at a time: what it learns of the element
    /// paths of one return is kept for the next. One per task (it is not shared).
    public struct Reader {
        var document = ReturnDocument()

        public init() {}

        /// Parses one return (see `Form990Parser.parse(_:source:)`).
        public mutating func parse(_ data: Data, source: String) throws(ParseError) -> Form990Return {
            document.reset()
            let scanned: Result<Void, XMLScanner.SyntaxError> = data.withUnsafeBytes { raw in
                Result { () throws(XMLScanner.SyntaxError) in try XMLScanner.scan(raw.bindMemory(to: UInt8.self), into: &document) }
            }
            if case .failure(let error) = scanned {
                throw ParseError(source: source, line: error.line, column: error.column, reason: "not well-formed XML: \(error.reason)")
            }
            return try Form990Parser.read(document, source: source)
        }
    }

    /// The return a scanned document holds.
    private static func read(_ document: ReturnDocument, source: String) throws(ParseError) -> Form990Return {
        func refuse(_ reason: String) -> ParseError { ParseError(source: source, reason: reason) }
        guard document.root == "Return" else {
            throw refuse("not an IRS e-file return (the root element is <\(document.root ?? "?")>, not <Return>)")
        }
        let header = document.fields(under: "ReturnHeader")
        guard let einText = header.first("Filer/EIN") else { throw refuse("no filer EIN in the return header") }
        let ein: EIN
        do { ein = try EIN(einText) } catch { throw refuse("filer EIN: \(error.reason)") }
        let rawForm = header.first("ReturnTypeCd", "ReturnType") ?? ""
        let formType = rawForm.replacingOccurrences(of: "-", with: "").uppercased()
        guard let form = FormLayout.layouts[formType] else { throw refuse("return type '\(rawForm)' is not 990, 990EZ or 990PF") }
        guard let taxPeriod = yearMonth(header.first("TaxPeriodEndDt", "TaxPeriodEndDate")) else {
            throw refuse("no tax period end date in the return header")
        }
        let body = document.fields(under: "ReturnData/" + form.root)
        guard !body.isEmpty else { throw refuse("the return has no <\(form.root)> part: it is incomplete") }

        let fiscalYear = FiscalYear(periodEnd: taxPeriod, periodStart: yearMonth(header.first("TaxPeriodBeginDt", "TaxPeriodBeginDate")))
        var filing = Filing(ein: ein.digits, taxPeriod: taxPeriod, taxYear: fiscalYear.year, formType: formType, sources: "irs990_xml")
        filing.periodStart = fiscalYear.periodStart
        filing.objectID = objectID(of: source)
        form.fill(&filing, body)
        filing.mission = form.mission(body).map(cleanedText)
        let programs = form.programs(body).map(cleanedText).filter { !$0.isEmpty }
        filing.programDescriptions = programs.isEmpty ? nil : programs.joined(separator: "\n\n")

        let groups = document.groups
        let grants = groups.compactMap { group -> Grant? in
            switch group.kind {
            case .scheduleIGrant: scheduleIGrant(group.fields, grantor: ein, year: fiscalYear.year)
            case .foundationGrant where formType == "990PF": foundationGrant(group.fields, grantor: ein, year: fiscalYear.year)
            case .foundationGrant, .officer: nil
            }
        }
        var seenOfficers: Set<String> = []
        let officers = groups.compactMap { group -> Officer? in
            guard group.kind == .officer, let officer = officer(group.fields, ein: ein, year: fiscalYear.year) else { return nil }
            return seenOfficers.insert(officer.name).inserted ? officer : nil  // (ein, year, name) is the officer's identity
        }
        let name = [header.first("Filer/BusinessName/BusinessNameLine1Txt", "Filer/BusinessName/BusinessNameLine1", "Filer/Name/BusinessNameLine1"),
                    header.first("Filer/BusinessName/BusinessNameLine2Txt", "Filer/BusinessName/BusinessNameLine2", "Filer/Name/BusinessNameLine2")]
            .compactMap { $0 }.joined(separator: " ")
        guard !name.isEmpty else { throw refuse("no filer name in the return header") }
        var filer = Organization(ein: ein.digits, name: name, source: "irs990_xml")
        filer.inCareOf = header.first("Filer/InCareOfNm", "Filer/InCareOfName")
        filer.street = header.first("Filer/USAddress/AddressLine1Txt", "Filer/USAddress/AddressLine1", "Filer/ForeignAddress/AddressLine1Txt",
                                    "Filer/ForeignAddress/AddressLine1")
        filer.city = header.first("Filer/USAddress/CityNm", "Filer/USAddress/City", "Filer/ForeignAddress/CityNm", "Filer/ForeignAddress/City")
        filer.state = header.first("Filer/USAddress/StateAbbreviationCd", "Filer/USAddress/State")?.uppercased()
        filer.zip = header.first("Filer/USAddress/ZIPCd", "Filer/USAddress/ZIPCode")
        filer.subsection = form.subsection(body)
        filer.foundation = form.foundationCode(body)
        filer.taxPeriod = String(taxPeriod)
        return Form990Return(ein: ein, formType: formType, organization: filer, filing: filing, grants: grants, officers: officers)
    }

    // MARK: Repeating groups

    private static func scheduleIGrant(_ values: Fields, grantor: EIN, year: Int) -> Grant? {
        guard let name = values.first("RecipientBusinessName/BusinessNameLine1Txt", "RecipientBusinessName/BusinessNameLine1",
                                      "RecipientNameBusiness/BusinessNameLine1") else { return nil }
        let cash = values.int("CashGrantAmt", "AmountOfCashGrant")
        let nonCash = values.int("NonCashAssistanceAmt", "AmountOfNonCashAssistance")
        guard cash != nil || nonCash != nil else { return nil }
        var grant = Grant(
            grantorEIN: grantor.digits, recipientEIN: values.first("RecipientEIN", "EINOfRecipient").flatMap { try? EIN($0).digits },
            recipientName: name, recipientStreet: values.first("AddressLine1Txt", "AddressLine1"), recipientCity: values.first("CityNm", "City"),
            recipientState: values.first("StateAbbreviationCd", "State"), recipientZip: values.first("ZIPCd", "ZIPCode"),
            recipientKind: "organization", amount: (cash ?? 0) + (nonCash ?? 0), purpose: values.first("PurposeOfGrantTxt", "PurposeOfGrant"),
            taxYear: year, source: "schedule_i")
        (grant.cashAmount, grant.nonCashAmount) = (cash ?? 0, nonCash ?? 0)
        grant.recipientStatus = values.first("IRCSectionDesc", "IRCSection").map(subsectionText)
        return grant
    }

    private static func foundationGrant(_ values: Fields, grantor: EIN, year: Int) -> Grant? {
        let business = [values.first("RecipientBusinessName/BusinessNameLine1Txt", "RecipientBusinessName/BusinessNameLine1"),
                        values.first("RecipientBusinessName/BusinessNameLine2Txt", "RecipientBusinessName/BusinessNameLine2")]
            .compactMap { $0 }.joined(separator: " ")
        let person = values.first("RecipientPersonNm", "RecipientPersonName")
        guard let name = business.isEmpty ? person : business, let amount = values.int("Amt", "Amount") else { return nil }
        var grant = Grant(
            grantorEIN: grantor.digits, recipientEIN: nil, recipientName: name, recipientStreet: values.first("AddressLine1Txt", "AddressLine1"),
            recipientCity: values.first("CityNm", "City"), recipientState: values.first("StateAbbreviationCd", "State"),
            recipientZip: values.first("ZIPCd", "ZIPCode"), recipientKind: business.isEmpty ? "person" : "organization",
            amount: amount, purpose: values.first("GrantOrContributionPurposeTxt", "PurposeOfGrantOrContribution"),
            taxYear: year, source: "990pf")
        grant.recipientStatus = values.first("RecipientFoundationStatusTxt", "RecipientFoundationStatus")
        return grant
    }

    private static func officer(_ values: Fields, ein: EIN, year: Int) -> Officer? {
        guard let person = values.first("PersonNm", "NamePerson", "PersonName", "NameOfIndividual", "BusinessName/BusinessNameLine1Txt",
                                        "BusinessName/BusinessNameLine1", "NameBusiness/BusinessNameLine1", "Name")
        else { return nil }
        return Officer(ein: ein.digits, taxYear: year, name: person, title: values.first("TitleTxt", "Title"),
                       hoursPerWeek: values.first("AverageHoursPerWeekRt", "AverageHrsPerWkDevotedToPosRt", "AverageHoursPerWeek",
                                                  "AverageHrsPerWkDevotedToPos").flatMap(Double.init),
                       compensation: values.int("ReportableCompFromOrgAmt", "CompensationAmt", "ReportableCompFromOrganization", "Compensation"))
    }

    // MARK: Values

    /// `2022-06-30` → 202206.
    static func yearMonth(_ date: String?) -> Int? {
        guard let digits = date?.filter(\.isNumber), digits.count >= 6, let value = Int(digits.prefix(6)), (1...12).contains(value % 100)
        else { return nil }
        return value
    }

    /// `202403589349300950_public.xml` → `202403589349300950`.
    static func objectID(of source: String) -> String? {
        let name = (source as NSString).lastPathComponent
        guard let id = name.split(separator: "_").first, id.count >= 15, id.allSatisfy(\.isNumber) else { return nil }
        return String(id)
    }

    /// `501 (C)(3)` → `501(c)(3)`.
    static func subsectionText(_ text: String) -> String {
        text.replacingOccurrences(of: " ", with: "").replacingOccurrences(of: "C", with: "c")
    }

    /// A return's text without the "see Schedule O" pointers filers put in front of it.
    static func cleanedText(_ text: String) -> String {
        let cleaned = trimmed(text[...]) { $0.properties.isWhitespace }
        let pointers = ["SEE SCHEDULE O FOR CONTINUATION", "SEE SCHEDULE O", "(SEE SCHEDULE O)", "SEE SCH O"]
        guard let pointer = pointers.first(where: { cleaned.prefix($0.count).uppercased() == $0 }) else { return String(cleaned) }
        return String(trimmed(cleaned.dropFirst(pointer.count)) { $0.properties.isWhitespace || " .:;-".unicodeScalars.contains($0) })
    }

    /// `text` without the scalars `drop` matches at either end (Foundation's trimming is many times slower on Linux).
    private static func trimmed(_ text: Substring, dropping drop: (Unicode.Scalar) -> Bool) -> Substring {
        let scalars = text.unicodeScalars
        guard let first = scalars.firstIndex(where: { !drop($0) }), let last = scalars.lastIndex(where: { !drop($0) }) else { return "" }
        return Substring(scalars[first...last])
    }
}
