import AgentCore
import ArgumentParser
import CatalynxApp
import Foundation
import GrantResearch
import Nonprofit

/// `catalynx org show|search`
struct OrgCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "org",
        abstract: "Look up organizations in the organization database.",
        subcommands: [Show.self, Search.self])

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "An organization's profile, filing history, grants made and received, and officers.",
            discussion: "Exit codes: 0 found, 2 not a valid EIN, 4 not in the database.")

        @Argument(help: "The EIN (54-1230284, 541230284, …).")
        var ein: String

        @Option(help: "table or json.")
        var format: OutputFormat = .table

        func run() async throws {
            let overview: OrganizationOverview
            do {
                overview = try await CLIContext().app.organization(ein)
            } catch let error as ApplicationError where error.status == .notFound {
                throw CLIExit(code: .notFound, message: "error: \(error.message)\n    hint: `catalynx data import-bmf FILE` adds the IRS Business Master File for its state")
            }
            switch format {
            case .json: Console.out(overview.json.jsonString(pretty: true))
            case .table: Console.out(OrganizationPresenter.profile(overview))
            }
        }
    }

    struct Search: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Find organizations by name (or secondary name, or city), ranked by relevance.",
            discussion: "Every word must match the start of a word of the name, secondary name or city.")

        @Argument(help: "Words to look for (may be empty with filters).")
        var text: [String] = []

        @Option(help: "Two-letter state code.")
        var state: String?

        @Option(help: "NTEE code or prefix (P81, P, E31).")
        var ntee: String?

        @Flag(help: "Only private foundations (BMF foundation codes 02, 03, 04).")
        var foundations = false

        @Option(help: "At most this many results.")
        var limit = 20

        @Option(help: "table or json.")
        var format: OutputFormat = .table

        func run() async throws {
            guard !text.isEmpty || state != nil || ntee != nil || foundations else {
                throw CLIExit.badInput("error: give words to search for, or a filter (--state, --ntee, --foundations)")
            }
            if let state, state.count != 2 || !state.allSatisfy(\.isLetter) {
                throw CLIExit.badInput("error: --state '\(state)' is not a two-letter state code")
            }
            let results = try await CLIContext().app.searchOrganizations(.init(text: text.joined(separator: " "), state: state, ntee: ntee,
                                                                               foundationsOnly: foundations, limit: limit))
            switch format {
            case .json: Console.out(try Value(encoding: results).jsonString(pretty: true))
            case .table:
                var table = TextTable("EIN", "NAME", "CITY", "ST", "NTEE", "REVENUE")
                for organization in results {
                    table.add(organization.formattedEIN, organization.name, organization.city ?? "", organization.state ?? "",
                              organization.nteeCode ?? "", organization.revenue.map(OrganizationPresenter.dollars) ?? "")
                }
                Console.out(results.isEmpty ? "no organizations match" : table.render(maxWidth: 44))
            }
        }
    }
}
