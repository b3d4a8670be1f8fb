import AgentCore
import ArgumentParser
import CatalynxApp
import Foundation
import GrantResearch
import Nonprofit

/// `catalynx data download|import-bmf|import-990|import-propublica|fetch`
struct DataCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "data",
        abstract: "Fill the organization database from IRS and ProPublica files.",
        discussion: "The database is $CATALYNX_HOME/organizations.sqlite, or the PostgreSQL server of CATALYNX_DATABASE_URL when it names one; the embedded dataset is loaded into it on first use.",
        subcommands: [Download.self, ImportBMF.self, Import990.self, ImportProPublica.self, Fetch.self])

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
            try await Self.importFiles(files, format: format)
        }

        /// Imports the files and prints the summary (also `data download bmf --import`, whose JSON
        /// document `document` makes of the summary's).
        static func importFiles(_ files: [String], format: OutputFormat, document: (Value) -> Value = { $0 }) async throws {
            let database = try await CLIContext().openOrganizations()
            let bar = ProgressBar(label: "importing", unit: "rows")
            let summary = try await BMFImporter(database: database).importFiles(files) { progress in
                bar.update(count: progress.rows, fraction: progress.totalBytes > 0 ? Double(progress.bytesRead) / Double(progress.totalBytes) : nil)
            }
            bar.finish()
            switch format {
            case .json:
                Console.out(document(Value.object([
                    "import_id": .int(summary.importID), "gone": .int(summary.gone), "returned": .int(summary.returned),
                    "rows": .int(summary.rows), "inserted": .int(summary.inserted), "updated": .int(summary.updated),
                    "unchanged": .int(summary.unchanged), "duplicates": .int(summary.duplicates), "skipped": .int(summary.rejected.count),
                    "seconds": .double(summary.seconds),
                    "rejected": .array(summary.rejected.map { ["file": .string($0.file), "line": .int($0.line), "reason": .string($0.reason)] }),
                    "refused_files": .array(summary.refusedFiles.map { ["file": .string($0.file), "reason": .string($0.reason)] }),
                ])).jsonString(pretty: true))
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
                if summary.gone + summary.returned > 0 {
                    Console.out("\(summary.gone.formatted()) no longer listed in \(summary.states.sorted().joined(separator: ", ")) (marked, not deleted), "
                                + "\(summary.returned.formatted()) listed again; `catalynx org show EIN` lists an organization's changes")
                }
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
            abstract: "Import IRS 990, 990-EZ and 990-PF e-file returns: XML files, the IRS's ZIP archives, or folders of them.",
            discussion: """
                Filings, Schedule I and 990-PF grants, and officers, with the filer's name and address from the \
                return header (they fill what the BMF row lacks; a BMF row keeps what it has). Archives \
                (YYYY_TEOS_XML_MMx.zip) are read entry by entry without unpacking; returns are parsed on every core \
                and written in batches.
                Incremental: a return whose e-file object id (OBJECTID_public.xml) was imported before is passed \
                over, so a re-run after an interruption or on next month's archive adds only what is new (--force \
                reads them again). With the year's index (index_YYYY.csv beside the archive, or --index), --forms \
                selects returns without reading the others.
                A return that is not complete, well-formed XML (truncated, not XML, a DOCTYPE or unknown entity) is \
                reported with its archive, entry and reason (line and column for broken XML), and nothing of it is \
                stored; the others are imported.
                Exit codes: 0 when every return read was imported or already there, 1 when some were rejected, 2 when all were.
                """)

        @Argument(help: "XML files, ZIP archives, or folders of them.")
        var paths: [String]

        @Option(help: "Only these return types, comma-separated: 990, 990EZ, 990PF.")
        var forms: String?

        @Option(help: "The e-file index CSV to select by (default: index_YYYY.csv beside each archive).")
        var index: String?

        @Flag(help: "Read returns imported before again.")
        var force = false

        @Option(help: "table or json.")
        var format: OutputFormat = .table

        func validate() throws {
            for path in paths where !FileManager.default.fileExists(atPath: path) { throw ValidationError("no such file or folder: \(path)") }
            if let index, !FileManager.default.fileExists(atPath: index) { throw ValidationError("no such index file: \(index)") }
            try Self.validate(forms: selectedForms)
        }

        private var selectedForms: Set<String>? { Self.forms(forms) }

        /// `--forms 990pf,990-EZ` as the importer's set (`990PF`, `990EZ`); nil for all.
        static func forms(_ option: String?) -> Set<String>? {
            option.map { Set($0.split(separator: ",").map { EfileIndex.normalizedForm(String($0)) }) }
        }

        /// Refuses a `--forms` value that is not a return type Catalynx reads.
        static func validate(forms: Set<String>?) throws {
            for form in (forms ?? []).sorted() where !["990", "990EZ", "990PF"].contains(form) {
                throw ValidationError("--forms: '\(form)' is not 990, 990EZ or 990PF")
            }
        }

        func run() async throws {
            try await Self.importPaths(paths, options: .init(forms: selectedForms, force: force, index: index), format: format)
        }

        /// Imports the returns and prints the summary (also `data download efile --import`, whose JSON
        /// document `document` makes of the summary's).
        static func importPaths(_ paths: [String], options: Form990Importer.Options, format: OutputFormat,
                                document: (Value) -> Value = { $0 }) async throws {
            let database = try await CLIContext().openOrganizations()
            let bar = ProgressBar(label: "importing", unit: "returns")
            let summary: Form990Importer.Summary
            do {
                summary = try await Form990Importer(database: database).importPaths(paths, options: options) { progress in
                        bar.update(count: progress.done, fraction: progress.total > 0 ? Double(progress.done) / Double(progress.total) : nil)
                    }
            } catch let error as EfileIndex.FormatError {
                throw CLIExit.badInput("error: \(error)")
            }
            bar.finish()
            switch format {
            case .json: Console.out(document(Self.json(summary)).jsonString(pretty: true))
            case .table: Self.print(summary)
            }
            let failed = summary.rejected.count + summary.unreadable.count
            guard failed > 0 else { return }
            throw CLIExit(code: summary.importedCount + summary.alreadyPresentCount == 0 ? .badInput : .failed, message: nil)
        }

        static func print(_ summary: Form990Importer.Summary) {
            for archive in summary.unreadable { Console.error("error: \(archive.path): \(archive.reason)") }
            for rejected in summary.rejected.prefix(50) { Console.error("rejected \(rejected)") }
            if summary.rejected.count > 50 { Console.error("… and \(summary.rejected.count - 50) more rejected returns (--format json lists them all)") }
            if summary.importedCount <= Form990Importer.Summary.listedReturns {
                for parsed in summary.returns {
                    let form = parsed.formType.padding(toLength: 5, withPad: " ", startingAt: 0)
                    Console.out("\(parsed.ein.formatted)  \(form) FY\(parsed.fiscalYear)  \(parsed.name)  — "
                                + "\(Plural.count(parsed.grants, "grant")), \(Plural.count(parsed.officers, "officer"))")
                }
            }
            let forms = Set(summary.imported.keys).union(summary.alreadyPresent.keys).union(summary.notSelected.keys).union(summary.rejectedByForm.keys)
            if forms.count > 1 || summary.importedCount > Form990Importer.Summary.listedReturns {
                var table = TextTable("form", "imported", "already there", "left out", "rejected")
                for form in forms.sorted() {
                    table.add(form, (summary.imported[form] ?? 0).formatted(), (summary.alreadyPresent[form] ?? 0).formatted(),
                              (summary.notSelected[form] ?? 0).formatted(), (summary.rejectedByForm[form] ?? 0).formatted())
                }
                Console.out(table.render())
            }
            let rate = summary.seconds > 0 ? Int(Double(summary.importedCount) / summary.seconds) : 0
            var line = "\(Plural.count(summary.importedCount, "return")) imported (\(Plural.count(summary.grants, "grant")), "
                + "\(Plural.count(summary.officers, "officer"))) in \(RunPresenter.formatDuration(summary.seconds))"
            if summary.importedCount > Form990Importer.Summary.listedReturns { line += " (\(rate.formatted()) returns/s)" }
            line += ", \(summary.alreadyPresentCount.formatted()) already there, \(summary.rejected.count.formatted()) rejected"
            if summary.notSelectedCount > 0 { line += ", \(summary.notSelectedCount.formatted()) of other types left out" }
            Console.out(line)
        }

        static func json(_ summary: Form990Importer.Summary) -> Value {
            func counts(_ byForm: [String: Int]) -> Value { .object(byForm.mapValues { .int($0) }) }
            return .object([
                "imported": counts(summary.imported), "already_present": counts(summary.alreadyPresent),
                "not_selected": counts(summary.notSelected), "rejected_by_form": counts(summary.rejectedByForm),
                "grants": .int(summary.grants), "officers": .int(summary.officers), "seconds": .double(summary.seconds),
                "rejected": .array(summary.rejected.map { rejected in
                    var entry: [String: Value] = ["file": .string(rejected.source.path), "reason": .string(rejected.error.reason)]
                    if let archiveEntry = rejected.source.entry { entry["entry"] = .string(archiveEntry) }
                    if let form = rejected.form { entry["form"] = .string(form) }
                    if let line = rejected.error.line { entry["line"] = .int(line) }
                    if let column = rejected.error.column { entry["column"] = .int(column) }
                    return .object(entry)
                }),
                "unreadable": .array(summary.unreadable.map { .object(["file": .string($0.path), "reason": .string($0.reason)]) }),
            ])
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
