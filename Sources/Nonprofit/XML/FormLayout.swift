/// Where each form keeps what Catalynx reads, under the form's own element (`IRS990`,
/// `IRS990EZ`, `IRS990PF`), with the tag names of every schema year: the 2013-on name first,
/// then the 2009-era one. Paths follow the IRS e-file schemas (and irsx's variable table).
struct FormLayout: Sendable {
    /// The form's element below `ReturnData`.
    var root: String
    /// Puts the form's figures on a filing.
    var fill: @Sendable (inout Filing, Fields) -> Void
    /// The mission or primary exempt purpose.
    var mission: @Sendable (Fields) -> String?
    /// The program service accomplishments, in the form's order.
    var programs: @Sendable (Fields) -> [String]
    /// The 501(c) paragraph the form's status boxes declare (`92`: a section 4947(a)(1) trust).
    var subsection: @Sendable (Fields) -> String?
    /// A BMF foundation code, for a 990-PF.
    var foundationCode: @Sendable (Fields) -> String? = { _ in nil }

    static let layouts: [String: FormLayout] = ["990": form990, "990EZ": form990EZ, "990PF": form990PF]

    /// Status boxes of the 990 and 990-EZ (item J / item I).
    static func publicCharitySubsection(_ body: Fields) -> String? {
        if body.flag("Organization501c3Ind", "Organization501c3") { return "03" }
        if let type = body.first("Organization501cInd@organization501cTypeTxt", "Organization501c@typeOf501cOrganization"),
           let number = Int(type.filter(\.isNumber)) {
            return number < 10 ? "0\(number)" : String(number)
        }
        if body.flag("Organization4947a1NotPFInd", "Organization4947a1NotPF") { return "92" }
        return nil
    }

    static let form990 = FormLayout(
        root: "IRS990",
        fill: { filing, body in
            filing.totalRevenue = body.int("CYTotalRevenueAmt", "TotalRevenueCurrentYear", "TotalRevenueGrp/TotalRevenueColumnAmt",
                                           "TotalRevenue/TotalRevenueColumn")
            filing.totalExpenses = body.int("CYTotalExpensesAmt", "TotalExpensesCurrentYear", "TotalFunctionalExpensesGrp/TotalAmt",
                                            "TotalFunctionalExpenses/Total")
            filing.contributions = body.int("CYContributionsGrantsAmt", "ContributionsGrantsCurrentYear", "TotalContributionsAmt")
            filing.programServiceRevenue = body.int("CYProgramServiceRevenueAmt", "ProgramServiceRevenueCY")
            filing.investmentIncome = body.int("CYInvestmentIncomeAmt", "InvestmentIncomeCurrentYear")
            filing.otherRevenue = body.int("CYOtherRevenueAmt", "OtherRevenueCurrentYear")
            filing.programExpenses = body.int("TotalFunctionalExpensesGrp/ProgramServicesAmt", "TotalFunctionalExpenses/ProgramServices")
            filing.managementExpenses = body.int("TotalFunctionalExpensesGrp/ManagementAndGeneralAmt", "TotalFunctionalExpenses/ManagementAndGeneral")
            filing.fundraisingExpenses = body.int("TotalFunctionalExpensesGrp/FundraisingAmt", "TotalFunctionalExpenses/Fundraising")
            filing.totalAssets = body.int("TotalAssetsEOYAmt", "TotalAssetsEOY", "TotalAssetsGrp/EOYAmt", "TotalAssets/EOY")
            filing.totalLiabilities = body.int("TotalLiabilitiesEOYAmt", "TotalLiabilitiesEOY", "TotalLiabilitiesGrp/EOYAmt", "TotalLiabilities/EOY")
            filing.netAssets = body.int("NetAssetsOrFundBalancesEOYAmt", "NetAssetsOrFundBalancesEOY", "TotalNetAssetsFundBalanceGrp/EOYAmt",
                                        "TotalNetAssetsFundBalance/EOY")
            filing.grantsPaid = body.int("CYGrantsAndSimilarPaidAmt", "GrantsAndSimilarAmntsCY")
            filing.officerCompensation = body.int("CompCurrentOfcrDirectorsGrp/TotalAmt", "CompCurrentOfficersDirectors/Total")
            filing.priorYearRevenue = body.int("PYTotalRevenueAmt", "TotalRevenuePriorYear")
            filing.priorYearExpenses = body.int("PYTotalExpensesAmt", "TotalExpensesPriorYear")
        },
        mission: { body in body.first("MissionDesc", "MissionDescription", "ActivityOrMissionDesc", "ActivityOrMissionDescription") },
        // Part III lines 4a–4d: 4a's description sits directly under the form, 4b–4d in their groups.
        programs: { body in
            body.all(exactly: ["Desc", "Description", "ProgSrvcAccomActy2Grp/Desc", "Activity2/Description", "ProgSrvcAccomActy3Grp/Desc",
                               "Activity3/Description", "ProgSrvcAccomActyOtherGrp/Desc", "ActivityOther/Description"])
        },
        subsection: publicCharitySubsection)

    static let form990EZ = FormLayout(
        root: "IRS990EZ",
        fill: { filing, body in
            filing.totalRevenue = body.int("TotalRevenueAmt", "TotalRevenue")
            filing.totalExpenses = body.int("TotalExpensesAmt", "TotalExpenses")
            filing.contributions = body.int("ContributionsGiftsGrantsEtcAmt", "ContributionsGiftsGrantsEtc")
            filing.programServiceRevenue = body.int("ProgramServiceRevenueAmt", "ProgramServiceRevenue")
            filing.investmentIncome = body.int("InvestmentIncomeAmt", "InvestmentIncome")
            filing.programExpenses = body.int("TotalProgramServiceExpensesAmt", "TotalProgramServiceExpenses")
            filing.totalAssets = body.int("Form990TotalAssetsGrp/EOYAmt", "Form990TotalAssets/EOY")
            filing.totalLiabilities = body.int("SumOfTotalLiabilitiesGrp/EOYAmt", "SumOfTotalLiabilities/EOY")
            filing.netAssets = body.int("NetAssetsOrFundBalancesGrp/EOYAmt", "NetAssetsOrFundBalances/EOY")
            filing.grantsPaid = body.int("GrantsAndSimilarAmountsPaidAmt", "GrantsAndSimilarAmountsPaid")
        },
        mission: { body in body.first("PrimaryExemptPurposeTxt", "PrimaryExemptPurpose") },
        programs: { body in
            body.all(exactly: ["ProgramSrvcAccomplishmentGrp/DescriptionProgramSrvcAccomTxt",
                               "ProgramServiceAccomplishment/DescriptionProgramServiceAccom", "ProgramServiceAccomplishment/Description"])
        },
        subsection: publicCharitySubsection)

    static let form990PF = FormLayout(
        root: "IRS990PF",
        fill: { filing, body in
            let part1 = "AnalysisOfRevenueAndExpenses/"
            filing.totalRevenue = body.int(part1 + "TotalRevAndExpnssAmt", part1 + "TotalRevenueAndExpenses")
            filing.totalExpenses = body.int(part1 + "TotalExpensesRevAndExpnssAmt", part1 + "TotalExpensesRevAndExpnss")
            filing.charitableDisbursements = body.int(part1 + "TotalExpensesDsbrsChrtblAmt", part1 + "TotalExpensesDsbrsChrtbl")
            filing.contributions = body.int(part1 + "ContriRcvdRevAndExpnssAmt", part1 + "ContriRcvdRevAndExpnss")
            // Part I has no program service revenue: its income is gifts, investments and other income.
            let investments = [body.int(part1 + "InterestOnSavRevAndExpnssAmt", part1 + "InterestOnSavRevAndExpnss"),
                               body.int(part1 + "DividendsRevAndExpnssAmt", part1 + "DividendsRevAndExpnss"),
                               body.int(part1 + "NetRentalIncomeOrLossAmt", part1 + "NetRentalIncomeOrLoss"),
                               body.int(part1 + "NetGainSaleAstRevAndExpnssAmt", part1 + "NetGainSaleAstRevAndExpnss")].compactMap { $0 }
            if let total = filing.totalRevenue {
                filing.programServiceRevenue = 0
                filing.investmentIncome = investments.reduce(0, +)
                filing.otherRevenue = total - (filing.contributions ?? 0) - investments.reduce(0, +)
            }
            filing.grantsPaid = body.int(part1 + "ContriPaidRevAndExpnssAmt", part1 + "ContriPaidRevAndExpnss", "TotalGrantOrContriPdDurYrAmt")
            filing.totalAssets = body.int("Form990PFBalanceSheetsGrp/TotalAssetsEOYAmt", "Form990PFBalanceSheets/TotalAssetsEOY")
            filing.totalLiabilities = body.int("Form990PFBalanceSheetsGrp/TotalLiabilitiesEOYAmt", "Form990PFBalanceSheets/TotalLiabilitiesEOY")
            filing.netAssets = body.int("Form990PFBalanceSheetsGrp/TotNetAstOrFundBalancesEOYAmt", "Form990PFBalanceSheets/TotNetAstOrFundBalancesEOY")
            filing.fairMarketValueOfAssets = body.int("FMVAssetsEOYAmt", "FMVAssetsEOY")
            filing.officerCompensation = body.int(part1 + "CompOfcrDirTrstRevAndExpnssAmt", part1 + "CompOfcrDirTrstRevAndExpnss")
        },
        // A 990-PF states no mission; its direct charitable activities (Part IX-A) say what it does itself.
        mission: { _ in nil },
        programs: { body in
            (1...4).flatMap { line in
                body.all(exactly: ["SummaryOfDirectChrtblActyGrp/Description\(line)Txt", "SummaryOfDirectChrtblActy/Description\(line)"])
            }.filter { !["NONE", "N/A", "NA", "NOT APPLICABLE"].contains($0.uppercased()) }
        },
        subsection: { body in
            if body.flag("Organization501c3ExemptPFInd", "Organization501c3ExemptPF", "Organization501c3TaxablePFInd", "Organization501c3TaxablePF") {
                return "03"
            }
            return body.flag("Organization4947a1TrtdPFInd", "Organization4947a1TrtdPF") ? "92" : nil
        },
        foundationCode: { body in body.flag("PrivateOperatingFoundationInd", "PrivateOperatingFoundation") ? "03" : "04" })
}
