import AgentCore
import ArgumentParser
import CatalynxApp
import Foundation
import GrantResearch
import Nonprofit

extension DataCommand {
    /// `catalynx data download bmf|efile`
    struct Download: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Download the IRS's published files: the EO Business Master File, a year's e-filed returns.",
            discussion: """
                Files land in $CATALYNX_HOME/downloads (bmf/, efile/YYYY/). A file already there and unchanged on the \\
                server is not fetched again; a download cut off is resumed where it stopped; failures are retried with \\
                back-off; sizes and ZIP archives are checked before a file takes its name. --mirror URL (or \\
                CATALYNX_IRS_MIRROR) replaces the scheme and host of www.irs.gov and apps.irs.gov and keeps their paths.
                Exit codes: 0 done, 1 a download failed (offline, HTTP errors, damaged), 2 bad options, 4 not published.
                """,
            subcommands: [BMF.self, Efile.self])

        /// What every download takes.
        struct Common: ParsableArguments {
            @Option(help: "A mirror of the IRS's files: its scheme and host (and path prefix) replace the IRS's.")
            var mirror: String?

            @Flag(name: .customLong("import"), help: "Import what was downloaded.")
            var importAfter = false

            @Option(help: "table or json.")
            var format: OutputFormat = .table

            func validate() throws {
                if let mirror, URLComponents(string: mirror)?.host == nil || !(mirror.hasPrefix("http://") || mirror.hasPrefix("https://")) {
                    throw ValidationError("--mirror: '\(mirror)' is not an http(s) URL")
                }
            }
        }

        struct BMF: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "bmf",
                abstract: "Download the EO BMF: state files (--states VA,MD) or the four region files (the default: the whole country).",
                discussion: "With --import, the files that arrived (not those unchanged) are imported as `data import-bmf` does.")

            @Option(help: "Two-letter state codes, comma-separated (eo_va.csv, …).")
            var states: String?

            @Flag(help: "The four region files eo1.csv … eo4.csv (the whole country; the default).")
            var regions = false

            @OptionGroup var common: Common

            func validate() throws {
                if states != nil, regions { throw ValidationError("give --states or --regions, not both") }
                for state in selectedStates ?? [] where !IRSFiles.states.contains(state) {
                    throw ValidationError("--states: '\(state)' is not a state code the IRS publishes a file for")
                }
            }

            private var selectedStates: [String]? {
                states.map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).uppercased() } }
            }

            func run() async throws {
                let downloads = CatalynxApplication.irsDownloads(CLIContext().configuration, mirror: common.mirror)
                let results = try await Download.reporting(common.format) { events in
                    try await downloads.bmf(selectedStates.map { .states($0) } ?? .regions, events: events)
                }
                let arrived = results.filter { $0.outcome != .unchanged }.map(\.path)
                guard common.importAfter, !arrived.isEmpty else {
                    Download.print(results, format: common.format)
                    if common.importAfter { Console.error("nothing new to import: every file was unchanged") }
                    return
                }
                if common.format == .table { Download.print(results, format: .table) }
                try await ImportBMF.importFiles(arrived, format: common.format) { Download.document(results, imported: $0) }
            }
        }

        struct Efile: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "efile",
                abstract: "Download a year's e-file index (index_YYYY.csv) and the ZIP archives of XML returns it lists.",
                discussion: """
                    With --forms, only the archives holding those returns (when the index says which archive a return is \\
                    in). With --import, the year's archives are imported as `data import-990` does: returns imported \\
                    before are passed over, so an interrupted import goes on where it stopped.
                    """)

            @Option(help: "The year the IRS published the returns in (its folder), e.g. 2024.")
            var year: Int

            @Option(help: "Only these return types, comma-separated: 990, 990EZ, 990PF.")
            var forms: String?

            @OptionGroup var common: Common

            func validate() throws {
                let thisYear = Calendar(identifier: .gregorian).component(.year, from: Date())
                guard (2011...thisYear + 1).contains(year) else { throw ValidationError("--year: the IRS publishes e-file years from 2011 to now, not \(year)") }
                try Import990.validate(forms: selectedForms)
            }

            private var selectedForms: Set<String>? { Import990.forms(forms) }

            func run() async throws {
                let downloads = CatalynxApplication.irsDownloads(CLIContext().configuration, mirror: common.mirror)
                let year = try await Download.reporting(common.format) { events in
                    try await downloads.efile(year: self.year, forms: selectedForms, events: events)
                }
                let results = [year.index] + year.archives
                if common.format == .table {
                    Download.print(results, format: .table)
                    let total = year.returns.values.reduce(0, +)
                    let byForm = year.returns.sorted { $0.key < $1.key }.map { "\($0.value.formatted()) \($0.key)" }.joined(separator: ", ")
                    Console.out("the index lists \(Plural.count(total, "return"))\(total > 0 ? " (\(byForm))" : "")"
                                + "\(selectedForms == nil ? "" : " of the forms asked for"), in \(Plural.count(year.archives.count, "archive"))")
                }
                guard common.importAfter, !year.archives.isEmpty else {
                    if common.format == .json { Download.print(results, format: .json) }
                    return
                }
                try await Import990.importPaths(year.archives.map(\.path), options: .init(forms: selectedForms, index: year.index.path),
                                                format: common.format) { Download.document(results, imported: $0) }
            }
        }

        /// Runs a download with a progress line on a terminal, turning its failures into exit codes.
        static func reporting<T>(_ format: OutputFormat, _ body: (@escaping @Sendable (IRSDownloads.Event) -> Void) async throws -> T) async throws -> T {
            let bar = ProgressBar(label: "", unit: "bytes")
            defer { bar.finish() }
            do {
                return try await body { event in
                    switch event {
                    case .starting(let name, let number, let count): bar.relabel(count > 1 ? "\(name) (\(number)/\(count))" : name)
                    case .progress(let progress): bar.update(bytes: progress.bytes, total: progress.total, bytesPerSecond: progress.bytesPerSecond)
                    case .probing(let name): bar.relabel("looking for \(name).zip")
                    case .finished: break
                    }
                }
            } catch let error as FileDownloader.DownloadError {
                bar.finish()
                if case .notFound = error { throw CLIExit(code: .notFound, message: "error: \(error)") }
                throw CLIExit(code: .failed, message: "error: \(error)")
            } catch let error as EfileIndex.FormatError {
                throw CLIExit(code: .failed, message: "error: the downloaded index is not usable: \(error)")
            }
        }

        /// The JSON document of a download: `{"downloads": […]}`, and `"import"` with what importing did.
        static func document(_ results: [FileDownloader.Result], imported: Value? = nil) -> Value {
            var document: [String: Value] = ["downloads": .array(results.map { result in
                .object(["file": .string((result.path as NSString).lastPathComponent), "path": .string(result.path), "url": .string(result.url),
                         "outcome": .string(result.outcome.rawValue), "bytes": .int(result.bytes), "transferred": .int(result.transferred)])
            })]
            if let imported { document["import"] = imported }
            return .object(document)
        }

        static func print(_ results: [FileDownloader.Result], format: OutputFormat) {
            switch format {
            case .json:
                Console.out(document(results).jsonString(pretty: true))
            case .table:
                var table = TextTable("file", "status", "size", "fetched")
                for result in results {
                    table.add((result.path as NSString).lastPathComponent, result.outcome.rawValue, ProgressBar.bytes(result.bytes),
                              result.transferred > 0 ? ProgressBar.bytes(result.transferred) : "-")
                }
                Console.out(table.render(maxWidth: 80))
                if let folder = results.first.map({ ($0.path as NSString).deletingLastPathComponent }) { Console.out("in \(folder)") }
            }
        }
    }
}
