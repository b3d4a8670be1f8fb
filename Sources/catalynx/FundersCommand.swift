import AgentCore
import ArgumentParser
import CatalynxApp
import Foundation
import GrantResearch

/// `catalynx funders show EIN`: what a grantmaker has funded.
struct FundersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "funders",
        abstract: "Grantmakers as their grants on record show them.",
        subcommands: [Show.self])

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "A grantmaker's giving: by year, grant sizes, top recipients, where and to what causes, openness to new grantees, assets and payout.",
            discussion: """
                From the grants on record (990-PF Part XV, Schedule I) and the grants paid its filings report. Recipients' causes \
                come from their EIN's organization record, or from a name match when a grant gives no EIN (said so). \
                Exit codes: 0 shown, 2 not a valid EIN, 4 not in the database.
                """)

        @Argument(help: "The grantmaker's EIN.")
        var ein: String

        @Option(help: "table or json.")
        var format: OutputFormat = .table

        func run() async throws {
            let profile = try await CLIContext().app.funder(ein)
            switch format {
            case .json: Console.out(try Value(encoding: profile).jsonString(pretty: true))
            case .table: Console.out(Self.table(profile))
            }
        }

        static func table(_ profile: FunderProfile) -> String {
            var lines = ["\(profile.name)  (EIN \(profile.ein))", "  " + [profile.city, profile.state].compactMap { $0 }.joined(separator: ", ") + " · \(profile.kind)"]
            let money = [profile.assets.map { "assets \(Money.full($0))" }, profile.payoutRatio.map { "payout \(Money.percent($0)) of assets" }].compactMap { $0 }
            if !money.isEmpty { lines.append("  " + money.joined(separator: " · ")) }
            lines.append("")
            lines += AnalysisPresenter.wrap(ReportViewText.sentence(profile.summary))
            if !profile.byYear.isEmpty {
                lines.append("")
                var table = TextTable("YEAR", "GRANTS", "GIVEN", "NEW RECIPIENTS")
                for year in profile.byYear {
                    table.add(year.fiscalYear, String(year.grants), Money.full(year.total), year.firstTimeShare.map { Money.percent($0, digits: 0) } ?? "first year on record")
                }
                lines.append(table.render())
            }
            if let median = profile.medianGrant, let smallest = profile.smallestGrant, let largest = profile.largestGrant {
                lines.append("  grant sizes: median \(Money.full(median)), from \(Money.full(smallest)) to \(Money.full(largest))")
            }
            if !profile.places.isEmpty {
                lines += AnalysisPresenter.wrap("where: " + profile.places.prefix(6).map { "\($0.label) \(Money.percent($0.share, digits: 0))" }.joined(separator: " · "),
                                              firstPrefix: "  ", indent: "    ")
            }
            if !profile.causes.isEmpty {
                lines += AnalysisPresenter.wrap("causes: " + profile.causes.prefix(6).map { "\($0.label) \(Money.percent($0.share, digits: 0))" }.joined(separator: " · "),
                                              firstPrefix: "  ", indent: "    ")
            }
            if profile.grantCount > 0 { lines += AnalysisPresenter.wrap(profile.causeEvidence, firstPrefix: "  ", indent: "  ") }
            if !profile.topRecipients.isEmpty {
                lines.append("")
                var table = TextTable("RECIPIENT", "ST", "GIVEN", "GRANTS", "LATEST")
                for recipient in profile.topRecipients {
                    table.add(recipient.name, recipient.state ?? "", Money.full(recipient.total), String(recipient.grants), "FY\(recipient.latestYear)")
                }
                lines.append(table.render(maxWidth: 40))
            }
            if !profile.grantsPaidByYear.isEmpty {
                lines.append("")
                lines += AnalysisPresenter.wrap("Grants paid, as its returns report them: "
                                                + profile.grantsPaidByYear.prefix(6).map { "\($0.fiscalYear) \(Money.full($0.total))" }.joined(separator: " · "))
            }
            if !profile.returns.isEmpty { lines += AnalysisPresenter.wrap("From: " + profile.returns.prefix(4).joined(separator: "; ")) }
            return lines.joined(separator: "\n")
        }
    }
}
