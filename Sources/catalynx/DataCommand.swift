import AgentCore
import ArgumentParser
import CatalynxApp
import Foundation
import GrantResearch
import Nonprofit

/// `catalynx data import-bmf|import-990|import-propublica`
struct DataCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "data",
        abstract: "Fill the organization database from IRS and ProPublica files.",
        discussion: "The database is $CATALYNX_HOME/organizations.sqlite, or the PostgreSQL server of CATALYNX_DATABASE_URL when it names one; the embedded dataset is loaded into it on first use.",
        subcommands: [ImportBMF.self, Import990.self, ImportProPublica.self, Fetch.self])

    struct ImportBMF: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "import-bmf",
            abstract: "Import IRS Exempt Organizations Business Master File CSVs (eo_XX.csv, eo1–eo4.csv).",
            discussion: """
                Streams each file, upserting in batches of one transaction each: a re-import of a newer file \
                updates rows and never duplicates them. A bad row never stops the import: it is reported with \
                its file and line, and the summary counts what was imported, updated, left unchanged and skipped.
                """)

        @Argument(help: "BMF CSV files.")
        var files: [String]

        @Option(help: "table or json.")
        var format: OutputFormat = .table

        func run() async throws {
            for file in files where !FileManager.default.fileExists(atPath: file) {
                throw CLIExit.badInput("error: no such file: \(file)")
            }
            let database = try await CLIContext().openOrganizations()
            let bar = ProgressBar(label: "importing", unit: "rows")
            let summary = try await BMFImporter(database: database).importFiles(files) { progress in
                bar.update(count: progress.rows, fraction: progress.totalBytes > 0 ? Double(progress.bytesRead) / Double(progress.totalBytes) : nil)
            }
            bar.finish()
            switch format {
            case .json:
                Console.out(Value.object([
                    "rows": .int(summary.rows), "inserted": .int(summary.inserted), "updated": .int(summary.updated),
                    "unchanged": .int(summary.unchanged), "duplicates": .int(summary.duplicates), "skipped": .int(summary.rejected.count),
                    "seconds": .double(summary.seconds),
                    "rejected": .array(summary.rejected.map { ["file": .string($0.file), "line": .int($0.line), "reason": .string($0.reason)] }),
                    "refused_files": .array(summary.refusedFiles.map { ["file": .string($0.file), "reason": .string($0.reason)] }),
                ]).jsonString(pretty: true))
            case .table:
                for file in summary.refusedFiles { Console.error("error: \(file.file): \(file.reason)") }
                for row in summary.rejected.prefix(50) { Console.error("skipped \(row)") }
                if summary.rejected.count > 50 { Console.error("… and \(summary.rejected.count - 50) more skipped rows (--format json lists them all)") }
                let rate = summary.seconds > 0 ? Int(Double(summary.rows) / summary.seconds) : 0
                Console.out("""
                    \(summary.rows.formatted()) rows in \(RunPresenter.formatDuration(summary.seconds)) (\(rate.formatted()) rows/s): \
                    \(summary.inserted.formatted()) imported, \(summary.updated.formatted()) updated, \(summary.unchanged.formatted()) unchanged, \
                    \(summary.duplicates.formatted()) duplicate EINs (the later row kept), \(summary.rejected.count.formatted()) skipped
                    """)
            }
            let imported = summary.rows - summary.rejected.count
            if imported <= 0 {
                throw CLIExit(code: .badInput, message: summary.rows > 0 ? "error: no row could be imported" : "error: no BMF rows were read")
            }
        }
    }

    struct Import990: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "import-990",
            abstract: "Import IRS 990, 990-EZ and 990-PF e-file XML returns (files or directories).",
            discussion: """
                Filings, Schedule I and 990-PF grants, and officers, with the filer's name and address from the \
                return header (they fill what the BMF row lacks; a BMF row keeps what it has). A file that is not \
                a complete, well-formed return (truncated, not XML, a DOCTYPE or unknown entity) is reported with \
                its line and column and nothing of it is stored. Exit code 2 when no file could be imported.
                """)

        @Argument(help: "XML files or directories of them.")
        var paths: [String]

        func run() async throws {
            let database = try await CLIContext().openOrganizations()
            let summary = try await Form990Importer(database: database).importPaths(paths)
            for skipped in summary.skipped { Console.error("error: \(skipped)") }
            for parsed in summary.returns {
                let form = parsed.formType.padding(toLength: 5, withPad: " ", startingAt: 0)
                Console.out("\(parsed.ein.formatted)  \(form) \(parsed.filing.fiscalYear)  \(parsed.organization.name)  — "
                            + "\(Plural.count(parsed.grants.count, "grant")), \(Plural.count(parsed.officers.count, "officer"))")
            }
            Console.out("\(Plural.count(summary.returns.count, "return")) imported, \(summary.skipped.count) skipped")
            if summary.returns.isEmpty, !summary.skipped.isEmpty { throw CLIExit(code: .badInput, message: nil) }
        }
    }

    struct ImportProPublica: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "import-propublica",
            abstract: "Import ProPublica Nonprofit Explorer API v2 responses (organizations/<ein>.json).")

        @Argument(help: "Response files.")
        var files: [String]

        func run() async throws {
            let database = try await CLIContext().openOrganizations()
            do {
                for parsed in try await ProPublicaImporter(database: database).importFiles(files) {
                    Console.out("\(parsed.organization.formattedEIN)  \(parsed.organization.name) — \(parsed.filings.count) filings")
                }
            } catch let error as ProPublicaImporter.FormatError {
                throw CLIExit.badInput("error: \(error) (nothing was imported)")
            }
        }
    }
}

extension DataCommand {
    struct Fetch: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Fetch an organization's ProPublica Nonprofit Explorer record and import it.",
            discussion: """
                GET organizations/<ein>.json from the API (CATALYNX_PROPUBLICA_URL, default \
                \(ProPublicaClient.defaultBaseURL)), cached for a week under $CATALYNX_HOME/cache/propublica. \
                429 and 5xx answers are retried with exponential back-off; a host that cannot be reached \
                within 3 seconds is reported as offline.
                Exit codes: 0 imported, 1 unreachable or failing, 2 invalid EIN, 4 unknown to ProPublica.
                """)

        @Argument(help: "The EIN.")
        var ein: String

        @Flag(help: "Ignore the cache.")
        var refresh = false

        func run() async throws {
            let parsed: EIN
            do { parsed = try EIN(ein) } catch { throw CLIExit.badInput("error: \(error)") }
            let context = CLIContext()
            let client = CatalynxApplication.proPublicaClient(context.configuration)
            let response: (data: Data, origin: ProPublicaClient.Origin)
            do {
                response = try await client.organization(parsed, refresh: refresh)
            } catch let error as ProPublicaClient.FetchError {
                if case .notFound = error { throw CLIExit(code: .notFound, message: "error: \(error)") }
                throw CLIExit(code: .failed, message: "error: \(error)")
            }
            let database = try await context.openOrganizations()
            do {
                let imported = try await ProPublicaImporter(database: database).importResponse(response.data, source: "ProPublica \(parsed.formatted)")
                Console.out("\(imported.organization.formattedEIN)  \(imported.organization.name) — \(imported.filings.count) filings imported (from the \(response.origin.rawValue))")
            } catch let error as ProPublicaImporter.FormatError {
                throw CLIExit(code: .failed, message: "error: the response is not usable: \(error)")
            }
        }
    }
}
