import Foundation
import Nonprofit

/// How organizations look in the terminal.
enum OrganizationPresenter {
    static func dollars(_ amount: Int) -> String { "$" + amount.formatted() }

    static func profile(_ organization: Organization, filings: [Filing], made: [Grant], received: [Grant], officers: [Officer]) -> String {
        var lines: [String] = []
        lines.append("\(organization.name)  (EIN \(organization.formattedEIN))")
        if let sortName = organization.sortName { lines.append("  also: \(sortName)") }
        let address = [organization.street, organization.city, [organization.state, organization.zip].compactMap { $0 }.joined(separator: " ")]
            .compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: ", ")
        if !address.isEmpty { lines.append("  \(address)") }
        var facts: [String] = []
        if let subsection = organization.subsection { facts.append("501(c)(\(Int(subsection) ?? 0))") }
        if let ntee = organization.nteeCode { facts.append("NTEE \(ntee)") }
        if let foundation = organization.foundation { facts.append("foundation code \(foundation)\(organization.isPrivateFoundation ? " (private foundation)" : "")") }
        if let ruling = organization.ruling, ruling.count == 6 { facts.append("exempt since \(ruling.prefix(4))-\(ruling.suffix(2))") }
        if !facts.isEmpty { lines.append("  " + facts.joined(separator: " · ")) }
        var money: [String] = []
        if let revenue = organization.revenue { money.append("revenue \(dollars(revenue))") }
        if let assets = organization.assets { money.append("assets \(dollars(assets))") }
        if let period = organization.taxPeriod, period.count == 6 { money.append("latest return \(period.prefix(4))-\(period.suffix(2))") }
        if !money.isEmpty { lines.append("  " + money.joined(separator: " · ")) }
        lines.append("  source: \(organization.source)")

        lines.append("")
        if filings.isEmpty {
            lines.append("No filings in the database.")
        } else {
            lines.append("Filings")
            var table = TextTable("YEAR", "FORM", "REVENUE", "EXPENSES", "ASSETS", "NET ASSETS", "SOURCE")
            for filing in filings {
                table.add(String(filing.taxYear), filing.formType, filing.totalRevenue.map(dollars) ?? "–", filing.totalExpenses.map(dollars) ?? "–",
                          filing.totalAssets.map(dollars) ?? "–", filing.netAssets.map(dollars) ?? "–", filing.sources)
            }
            lines.append(table.render())
        }
        for (title, grants) in [("Grants made", made), ("Grants received", received)] where !grants.isEmpty {
            lines.append("")
            let total = grants.reduce(0) { $0 + $1.amount }
            lines.append("\(title) (\(grants.count), \(dollars(total)))")
            var table = TextTable("YEAR", title == "Grants made" ? "RECIPIENT" : "GRANTOR", "AMOUNT", "PURPOSE")
            for grant in grants.prefix(25) {
                table.add(String(grant.taxYear), title == "Grants made" ? grant.recipientName : grant.grantorEIN, dollars(grant.amount), grant.purpose ?? "")
            }
            lines.append(table.render(maxWidth: 40))
            if grants.count > 25 { lines.append("… \(grants.count - 25) more (--format json lists them all)") }
        }
        if !officers.isEmpty {
            lines.append("")
            lines.append("Officers, directors and key employees")
            var table = TextTable("YEAR", "NAME", "TITLE", "COMPENSATION")
            for officer in officers.prefix(25) {
                table.add(String(officer.taxYear), officer.name, officer.title ?? "", officer.compensation.map(dollars) ?? "")
            }
            lines.append(table.render(maxWidth: 40))
        }
        return lines.joined(separator: "\n")
    }
}
