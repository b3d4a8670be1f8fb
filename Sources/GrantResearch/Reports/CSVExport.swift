/// Metrics and funder lists as CSV (RFC 4180: comma-separated, quoted when needed, CRLF).
public enum CSVExport {
    /// One row per filing year, one column per metric.
    public static func metrics(_ metrics: FinancialMetrics?) -> String {
        let header = ["tax_year", "form_type", "sources", "program_expense_ratio", "management_expense_ratio", "fundraising_expense_ratio",
                      "fundraising_efficiency", "months_of_reserve", "liabilities_to_assets", "operating_margin", "revenue_growth",
                      "contribution_dependence", "revenue_concentration"]
        let rows = (metrics?.years ?? []).map { year -> [String] in
            [String(year.taxYear), year.formType, year.sources] + [
                year.programExpenseRatio, year.managementExpenseRatio, year.fundraisingExpenseRatio, year.fundraisingEfficiency,
                year.monthsOfReserve, year.liabilitiesToAssets, year.operatingMargin, year.revenueGrowth, year.contributionDependence,
                year.revenueConcentration,
            ].map { $0.map { String($0) } ?? "" }
        }
        return table([header] + rows)
    }

    /// One row per funder with its composite and each dimension's score.
    public static func funders(_ funders: FunderScoring) -> String {
        let dimensions = FunderModel.weights.map(\.name)
        let header = ["rank", "ein", "name", "city", "state", "ntee_code", "foundation_code", "assets", "score", "passes", "past_funder",
                      "giving_on_record"] + dimensions + ["giving", "caveat"]
        let rows = funders.funders.enumerated().map { index, funder -> [String] in
            [String(index + 1), funder.ein, funder.name, funder.city ?? "", funder.state ?? "", funder.nteeCode ?? "",
             funder.foundationCode ?? "", funder.assets.map(String.init) ?? "", String(funder.score), funder.passes ? "true" : "false",
             funder.isPastFunder ? "true" : "false", funder.hasGivingHistory ? "true" : "false"]
                + dimensions.map { name in funder.dimensions.first { $0.name == name }.map { String($0.score) } ?? "" }
                + [funder.profileSummary, funder.caveat ?? ""]
        }
        return table([header] + rows)
    }

    static func table(_ rows: [[String]]) -> String {
        rows.map { $0.map(field).joined(separator: ",") }.joined(separator: "\r\n") + "\r\n"
    }

    /// A field, quoted when it holds a separator; a leading `=`, `+` or `@` is neutralised so that
    /// a spreadsheet never reads a name as a formula.
    static func field(_ raw: String) -> String {
        let text = raw.first.map { "=+@\t".contains($0) } == true ? "'" + raw : raw
        return text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" })
            ? "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : text
    }
}
