import AgentCore
import ArgumentParser
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

            Tiers: current (profile, data quality, metrics, risk, report), standard (adds multi-year \
            trends, peers and funders), enhanced (adds the officer network and an expert review), \
            complete (adds full funder scoring, the NTEE landscape, charts and exports under \
            $CATALYNX_HOME/exports/<run id>/).

            Formats: table (80 columns), json (one object per EIN; one per line for several EINs), \
            yaml, markdown, html (a self-contained report with SVG charts). With --out and several \
            EINs, --out is a folder that receives one file per EIN.

            With CATALYNX_REVIEWERS set (names, comma-separated), the enhanced and complete tiers wait \
            for an expert review: the command ends with exit code 3 and `catalynx approvals respond` \
            continues the run.

            Exit codes: 0 complete, 1 run failed, 2 invalid EIN or arguments, 3 paused or waiting, 4 EIN not \
            in the database, 5 no filings on record, 6 a quality gate failed. With several EINs, the \
            highest code of any of them.
            """)

    enum Tier: String, CaseIterable, ExpressibleByArgument { case current, standard, enhanced, complete }
    enum Format: String, CaseIterable, ExpressibleByArgument { case table, json, yaml, markdown, html }

    @Argument(help: "EINs to analyze (12-3456789 or 123456789).")
    var eins: [String] = []

    @Option(help: "current, standard, enhanced or complete.")
    var tier: Tier = .current

    @Option(help: "table, json, yaml, markdown or html.")
    var format: Format = .table

    @Option(help: "Write the output to this file (a folder when several EINs are analyzed).")
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
        let context = CLIContext()
        let definition = try context.loadWorkflow("\(tier.rawValue)_tier")
        var parsed: [(line: String, ein: EIN)] = []
        var worst = ExitCode.complete
        for (line, text) in requested {
            do {
                parsed.append((line, try EIN(text)))
            } catch {
                Console.error("error: \(line)\(error)")
                worst = max(worst, .invalidEIN)
            }
        }
        guard !parsed.isEmpty else { throw CLIExit(code: .badInput, message: nil) }
        _ = try await context.openOrganizations()  // loads the embedded dataset, with its progress, before the first run
        let engine = try await context.engine()
        if detach {
            for item in parsed {
                Console.out(try await engine.start(definition, inputs: try definition.bindInputs(["organization_ein": .string(item.ein.formatted)])))
            }
            return
        }
        let live = Console.stderrIsTerminal && parsed.count == 1
        let bar = parsed.count > 1 ? ProgressBar(label: "analyze", unit: "organizations") : nil
        var outcomes: [(ein: EIN, outcome: AnalysisOutcome)] = []
        for (index, item) in parsed.enumerated() {
            let inputs = try definition.bindInputs(["organization_ein": .string(item.ein.formatted)])
            let state = try await engine.runAttached(definition, inputs: inputs, observer: live ? RunPresenter.progressObserver() : nil)
            let outcome = AnalysisOutcome(state: state, definition: definition)
            outcomes.append((item.ein, outcome))
            worst = max(worst, ExitCode(outcome.verdict))
            report(outcome, ein: item.ein, line: item.line)
            bar?.update(count: index + 1, fraction: Double(index + 1) / Double(parsed.count))
            if parsed.count > 1, out == nil || format == .json { try emit(outcome, ein: item.ein, batch: true) }
        }
        bar?.finish()
        if parsed.count == 1, let only = outcomes.first { try emit(only.outcome, ein: only.ein, batch: false) }
        if worst != .complete { throw CLIExit(code: worst.cliCode, message: nil) }
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

    /// Explains on stderr an analysis that did not end cleanly.
    private func report(_ outcome: AnalysisOutcome, ein: EIN, line: String) {
        let name = outcome.organization.map { "\($0.name) (\(ein.formatted))" } ?? ein.formatted
        switch outcome.verdict {
        case .complete:
            break
        case .notFound:
            Console.error("error: \(line)no organization with EIN \(ein.formatted) in the database\n    hint: import its state's BMF file with `catalynx data import-bmf`, or `catalynx data fetch \(ein.formatted)`")
        case .invalidEIN, .failed:
            Console.error("error: \(line)the analysis of \(name) failed: \(outcome.error?.message ?? "unknown error")\n    hint: `catalynx runs show \(outcome.runID)` has the details")
        case .noFilings:
            Console.error("note: \(line)\(name) has no Form 990 filings on record, so metrics, risk and the report were skipped\n    hint: `catalynx data fetch \(ein.formatted)` or `catalynx data import-990 FILE`")
        case .gateFailed:
            for gate in outcome.gates where gate.outcome == "failed" && gate.action != "warn" {
                Console.error("warning: \(line)\(name): quality gate \(gate.name) failed (\(gate.detail)) → \(gate.action)")
            }
        case .unfinished where outcome.status == .waiting:
            Console.error("note: \(line)the analysis of \(name) waits for an expert review: `catalynx approvals respond \(outcome.runID) --decision approve|reject` answers it and continues")
        case .unfinished:
            Console.error("note: \(line)the analysis of \(name) is \(outcome.status.rawValue); `catalynx runs resume \(outcome.runID)` continues it")
        }
    }

    /// Prints or writes one analysis in the chosen format.
    private func emit(_ outcome: AnalysisOutcome, ein: EIN, batch: Bool) throws {
        let text: String
        switch format {
        case .json: text = outcome.json(ein: ein.formatted).jsonString(pretty: !batch)
        case .yaml: text = (batch ? "---\n" : "") + YAMLOutput.render(outcome.json(ein: ein.formatted))
        case .table: text = AnalysisPresenter.table(outcome, ein: ein)
        case .markdown, .html:
            guard let report = outcome.renderableReport else {
                text = format == .html ? "" : "# \(ein.formatted)\n\nNo report: \(outcome.error?.message ?? outcome.verdict.rawValue).\n"
                if format == .html { return }
                break
            }
            let renderer: ReportRenderer
            do { renderer = try ReportRenderer() } catch { throw CLIExit(code: .failed, message: "error: \(error.localizedDescription)") }
            text = format == .html ? renderer.html(report, run: outcome.runInfo) : renderer.markdown(report, run: outcome.runInfo)
        }
        guard let out else {
            Console.out(batch && format == .table ? text + "\n" : text)
            return
        }
        var path = out
        if batch {
            try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
            let fileExtension = ["table": "txt", "json": "json", "yaml": "yaml", "markdown": "md", "html": "html"][format.rawValue] ?? "txt"
            path = (out as NSString).appendingPathComponent("\(ein.digits).\(fileExtension)")
        }
        do {
            try (text.hasSuffix("\n") ? text : text + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        } catch {
            throw CLIExit(code: .failed, message: "error: cannot write \(path): \(error.localizedDescription)")
        }
        Console.error("wrote \(path)")
    }

    /// The exit codes of `analyze`, ordered so that the highest is the one to report.
    enum ExitCode: Int32, Comparable {
        case complete = 0, failed = 1, invalidEIN = 2, unfinished = 3, notFound = 4, noFilings = 5, gateFailed = 6

        init(_ verdict: AnalysisOutcome.Verdict) {
            switch verdict {
            case .complete: self = .complete
            case .failed: self = .failed
            case .invalidEIN: self = .invalidEIN
            case .unfinished: self = .unfinished
            case .notFound: self = .notFound
            case .noFilings: self = .noFilings
            case .gateFailed: self = .gateFailed
            }
        }

        static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }

        var cliCode: CLIExit.Code { CLIExit.Code(rawValue: rawValue) ?? .failed }
    }
}
