import AgentCore
import ArgumentParser
import CatalynxApp
import Foundation
import GrantResearch
import Nonprofit

/// `catalynx analyze EIN… [--tier] [--format] [--out] [--from-file]`: the main job.
struct AnalyzeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "analyze",
        abstract: "Analyze organizations: profile, financial health, risk, peers, funders and a report.",
        discussion: """
            Runs the tier's workflow (workflows/<tier>_tier.yaml) for each EIN on the organization \
            database (the embedded dataset is loaded on first use) and records every run durably. \
            Steps are shown live on stderr when it is a terminal.

            Tiers: \(AnalysisTier.allCases.map { "\($0.rawValue) (\($0.summary))" }.joined(separator: "; ")). The complete \
            tier also writes its exports under $CATALYNX_HOME/exports/<run id>/.

            Formats: table (80 columns), json (one object per EIN; one per line for several EINs), \
            yaml, markdown, html (a self-contained report with SVG charts). With --out and several \
            EINs (or --from-file), --out is a folder that receives one file per EIN, named by EIN and tier \
            (54-1230284_standard.html); the command says where it wrote them.

            Figures: every filing is labelled by the year its fiscal period ends (FY2022 for July 2021 to \
            June 2022, whatever the source). The newest figures on record win: when the IRS Business \
            Master File knows a newer return than the filings on record, size, peers, funders and \
            recency use it, and the report says through which year the detailed metrics run.

            With CATALYNX_REVIEWERS set (names, comma-separated), the enhanced and complete tiers wait \
            for an expert review: the command ends with exit code 3 and `catalynx approvals respond` \
            continues the run.

            \(ExitStatus.table) With several EINs, the highest code of any of them; 1 also when nothing \
            could be written.
            """)

    enum Format: String, CaseIterable, ExpressibleByArgument {
        case table, json, yaml, markdown, html

        var fileExtension: String {
            switch self {
            case .table: "txt"
            case .json: "json"
            case .yaml: "yaml"
            case .markdown: "md"
            case .html: "html"
            }
        }
    }

    @Argument(help: "EINs to analyze (12-3456789 or 123456789).")
    var eins: [String] = []

    @Option(help: "current, standard, enhanced or complete.")
    var tier: AnalysisTier = .current

    @Option(help: "table, json, yaml, markdown or html.")
    var format: Format = .table

    @Option(help: "Write the output to this file; with several EINs, a folder that receives one file per EIN.")
    var out: String?

    @Flag(help: "Record the runs and print their ids without running them: `catalynx worker` processes drive them.")
    var detach = false

    @Option(name: .customLong("from-file"), help: ArgumentHelp("Read EINs from this file, one a line (# starts a comment).", valueName: "path"))
    var fromFile: String?

    func validate() throws {
        if eins.isEmpty && fromFile == nil { throw ValidationError("give at least one EIN, or --from-file with one EIN a line") }
    }

    func run() async throws {
        let requested = try requestedEINs()
        let app = CLIContext().app
        var parsed: [(line: String, ein: EIN)] = []
        var worst = ExitStatus.completed
        for (line, text) in requested {
            do {
                parsed.append((line, try EIN(text)))
            } catch {
                Console.error("error: \(line)\(error)")
                worst = max(worst, .badInput)
            }
        }
        guard !parsed.isEmpty else { throw CLIExit(code: .badInput, message: nil) }
        _ = try app.workflow(for: tier)  // a missing or broken tier workflow is reported before anything runs
        if detach {
            for item in parsed { Console.out(try await app.startAnalysis(item.ein, tier: tier)) }
            return
        }
        let batch = parsed.count > 1 || fromFile != nil
        let folder = batch ? out : nil
        if let folder {
            do {
                try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            } catch {
                throw CLIExit(code: .badInput, message: "error: cannot create the folder \(folder): \(error.localizedDescription)")
            }
        }
        let live = Console.stderrIsTerminal && parsed.count == 1
        let bar = parsed.count > 1 ? ProgressBar(label: "analyze", unit: "organizations") : nil
        var written = 0
        _ = try await app.organizationDatabase()  // the embedded dataset, with its progress, before the first run
        for (index, item) in parsed.enumerated() {
            let analysis = try await app.analyze(item.ein, tier: tier, observer: live ? RunPresenter.progressObserver() : nil)
            worst = max(worst, analysis.status)
            explain(analysis, line: item.line)
            let text = try render(analysis, app: app, batch: batch)
            if let folder {
                if let text {
                    try write(text, to: (folder as NSString).appendingPathComponent(analysis.fileName(extension: format.fileExtension)))
                    written += 1
                }
            } else if let out {
                if let text { try write(text, to: out); written += 1 }
            } else if let text {
                Console.out(batch && format == .table ? text + "\n" : text)
                written += 1
            }
            bar?.update(count: index + 1, fraction: Double(index + 1) / Double(parsed.count))
        }
        bar?.finish()
        if let folder {
            Console.error("wrote \(Plural.count(written, "file")) for \(Plural.count(parsed.count, "organization")) in \(folder)")
        }
        if written == 0 { worst = max(worst, .failed) }
        if worst != .completed { throw CLIExit(code: worst, message: nil) }
    }

    /// The EINs from the arguments and `--from-file`, each with where it came from (for messages).
    private func requestedEINs() throws -> [(line: String, text: String)] {
        var requested = eins.map { (line: "", text: $0) }
        if let fromFile {
            guard let contents = try? String(contentsOfFile: fromFile, encoding: .utf8) else {
                throw CLIExit.badInput("error: cannot read \(fromFile)")
            }
            for (number, raw) in contents.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                let text = raw.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init)?
                    .trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
                if !text.isEmpty { requested.append((line: "\(fromFile):\(number + 1): ", text: text)) }
            }
            if requested.isEmpty { throw CLIExit.badInput("error: \(fromFile) has no EINs") }
        }
        return requested
    }

    /// Explains on stderr an analysis that did not end cleanly, with what an analyst can do about it.
    private func explain(_ analysis: Analysis, line: String) {
        guard let problem = analysis.problem else { return }
        let ein = analysis.ein.formatted
        switch analysis.outcome.verdict {
        case .complete:
            break
        case .notFound:
            Console.error("error: \(line)\(problem)\n    hint: import its state's BMF file with `catalynx data import-bmf`, or `catalynx data fetch \(ein)`")
        case .invalidEIN, .failed:
            Console.error("error: \(line)\(problem)\n    hint: `catalynx runs show \(analysis.outcome.runID)` has the details")
        case .noFilings:
            Console.error("note: \(line)\(problem)\n    hint: `catalynx data fetch \(ein)` or `catalynx data import-990 FILE`")
        case .gateFailed:
            let name = analysis.outcome.organization.map { "\($0.name) (\(ein))" } ?? ein
            for gate in analysis.outcome.gates where gate.outcome == "failed" && gate.action != "warn" {
                Console.error("warning: \(line)\(name): quality gate \(gate.name) failed (\(gate.detail)) → \(ReportWording.gateConsequence(gate.action))")
            }
        case .unfinished where analysis.outcome.status == .waiting:
            Console.error("note: \(line)\(problem): `catalynx approvals respond \(analysis.outcome.runID) --decision approve|reject` answers it and continues")
        case .unfinished:
            Console.error("note: \(line)\(problem); `catalynx runs resume \(analysis.outcome.runID)` continues it")
        }
    }

    /// One analysis in the chosen format; nil when the format needs a report and there is none.
    private func render(_ analysis: Analysis, app: CatalynxApplication, batch: Bool) throws -> String? {
        let ein = analysis.ein.formatted
        switch format {
        case .json: return analysis.outcome.json(ein: ein).jsonString(pretty: !batch || out != nil)
        case .yaml: return (batch && out == nil ? "---\n" : "") + YAMLOutput.render(analysis.outcome.json(ein: ein))
        case .table: return AnalysisPresenter.table(analysis.outcome, ein: analysis.ein)
        case .markdown, .html:
            if let report = try app.report(of: analysis, format: format == .html ? .html : .markdown) { return report.body }
            Console.error("error: no report for \(ein): \(analysis.problem ?? "the analysis found nothing to report")")
            return nil
        }
    }

    private func write(_ text: String, to path: String) throws {
        do {
            try (text.hasSuffix("\n") ? text : text + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        } catch {
            throw CLIExit(code: .failed, message: "error: cannot write \(path): \(error.localizedDescription)")
        }
        Console.error("wrote \(path)")
    }
}

extension AnalysisTier: ExpressibleByArgument {}
