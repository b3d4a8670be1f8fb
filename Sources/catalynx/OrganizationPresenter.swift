import CatalynxApp
import Foundation
import GrantResearch
import Nonprofit

/// How organizations look in the terminal.
enum OrganizationPresenter {
    static func dollars(_ amount: Int) -> String { Money.full(amount) }

    static func profile(_ overview: OrganizationOverview) -> String {
        let organization = overview.organization
        let profile = overview.profile
        var lines: [String] = []
        lines.append("\(profile.name)  (EIN \(organization.formattedEIN))")
        if let sortName = organization.sortName { lines.append("  also: \(sortName)") }
        let address = [organization.street.map(NameCase.display), overview.place].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: ", ")
        if !address.isEmpty { lines.append("  \(address)") }
        let facts = [overview.exemption, overview.cause.map { "NTEE \($0)" }, overview.foundation, overview.ruling.map { "exempt since \($0)" }]
            .compactMap { $0 }
        if !facts.isEmpty { lines += AnalysisPresenter.wrap(facts.joined(separator: " · "), indent: "  ") }
        if let latest = profile.latestFigures {
            let money = [latest.revenue.map { "revenue \(dollars($0))" }, latest.assets.map { "assets \(dollars($0))" }].compactMap { $0 }
            if !money.isEmpty {
                lines += AnalysisPresenter.wrap("latest: \(money.joined(separator: " · ")) in \(latest.fiscalYear), from \(latest.source)", indent: "  ")
            }
        }
        lines.append("  record from \(SourceName.text(organization.source == "irs990_xml" ? "irs990_xml" : organization.source))")
        if let removed = overview.removedFromBMF {
            lines += AnalysisPresenter.wrap("! no longer listed in the IRS Business Master File since the refresh of "
                                            + OrganizationOverview.describe(removed).prefix { $0 != ":" } + ": check its exemption status", indent: "  ")
        }
        if !overview.bmfHistory.isEmpty {
            lines.append("")
            lines.append("IRS BMF history (what refreshes found changed)")
            for change in overview.bmfHistory.suffix(20) { lines += AnalysisPresenter.wrap(OrganizationOverview.describe(change), indent: "  ") }
            if overview.bmfHistory.count > 20 { lines.append("  … \(overview.bmfHistory.count - 20) earlier (--format json lists them all)") }
        }

        lines.append("")
        let filings = overview.record.filings
        if filings.isEmpty {
            lines.append("No filings in the database.")
        } else {
            lines.append("Filings")
            var table = TextTable("FISCAL YEAR", "FORM", "REVENUE", "EXPENSES", "ASSETS", "NET ASSETS", "SOURCE")
            for filing in filings {
                table.add(filing.fiscalYear.description, FormName.text(filing.formType), filing.totalRevenue.map(dollars) ?? "–",
                          filing.totalExpenses.map(dollars) ?? "–", filing.totalAssets.map(dollars) ?? "–", filing.netAssets.map(dollars) ?? "–",
                          SourceName.text(filing.sources))
            }
            lines.append(table.render())
        }
        for (title, grants) in [("Grants made", overview.record.grantsMade), ("Grants received", overview.record.grantsReceived)] where !grants.isEmpty {
            lines.append("")
            let total = grants.reduce(0) { $0 + $1.amount }
            lines.append("\(title) (\(Plural.count(grants.count, "grant")), \(dollars(total)))")
            var table = TextTable("YEAR", title == "Grants made" ? "RECIPIENT" : "GRANTOR", "AMOUNT", "PURPOSE")
            for grant in grants.prefix(25) {
                table.add("FY\(grant.taxYear)", title == "Grants made" ? grant.recipientName : EIN(trusted: grant.grantorEIN).formatted,
                          dollars(grant.amount), grant.purpose ?? "")
            }
            lines.append(table.render(maxWidth: 40))
            if grants.count > 25 { lines.append("… \(grants.count - 25) more (--format json lists them all)") }
        }
        let officers = overview.record.officers
        if !officers.isEmpty {
            lines.append("")
            lines.append("Officers, directors and key employees (\(officers.count))")
            var table = TextTable("YEAR", "NAME", "TITLE", "COMPENSATION")
            for officer in officers.prefix(25) {
                table.add("FY\(officer.taxYear)", officer.name, officer.title ?? "", officer.compensation.map(dollars) ?? "")
            }
            lines.append(table.render(maxWidth: 40))
            if officers.count > 25 { lines.append("… \(officers.count - 25) more (--format json lists them all)") }
        }
        return lines.joined(separator: "\n")
    }
}
