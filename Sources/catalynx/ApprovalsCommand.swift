import AgentCore
import ArgumentParser
import CatalynxApp
import Foundation

/// `catalynx approvals list|show|respond`: the questions runs are waiting on people to answer.
struct ApprovalsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "approvals",
        abstract: "List, show and answer the questions runs are waiting on (human-in-the-loop).",
        discussion: "A run that asks a person waits, durably, until an answer arrives here; then it continues.",
        subcommands: [List.self, Show.self, Respond.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The open questions, oldest first.")

        @Option(help: "table or json.")
        var format: OutputFormat = .table

        func run() async throws {
            let approvals = try await CLIContext().app.approvals()
            switch format {
            case .json:
                Console.out(Value.array(approvals.map(\.json)).jsonString(pretty: true))
            case .table:
                guard !approvals.isEmpty else { Console.out("no questions are waiting for an answer"); return }
                var table = TextTable("RUN", "WHAT TO REVIEW", "ASKED", "ANSWER BY")
                for approval in approvals {
                    table.add(approval.runID, approval.title, RunPresenter.date(approval.requestedAt), approval.deadline.map(RunPresenter.date) ?? "no deadline")
                }
                Console.out(table.render(maxWidth: 60))
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "A run's open question with the findings to check.",
            discussion: "Exit codes: 0 shown, 2 unknown run, 4 the run waits for no answer.")

        @OptionGroup var selected: SelectedRun

        @Option(help: "table or json.")
        var format: OutputFormat = .table

        func run() async throws {
            let approvals = try await CLIContext().app.approvals(ofRun: selected.runID)
            switch format {
            case .json:
                Console.out(Value.array(approvals.map(\.json)).jsonString(pretty: true))
            case .table:
                Console.out(approvals.map(Self.text).joined(separator: "\n\n"))
            }
        }

        static func text(_ approval: Approval) -> String {
            var lines = [approval.title, ""]
            lines += AnalysisPresenter.wrap(approval.question)
            if let risk = approval.riskLevel { lines += ["", "Financial risk: \(risk)"] }
            if !approval.findings.isEmpty {
                lines += ["", "Findings to check:"]
                for finding in approval.findings { lines += AnalysisPresenter.wrap(finding, firstPrefix: "  • ", indent: "    ") }
            }
            if let tool = approval.request["tool"]?.stringValue, case .object(let inputs)? = approval.request["inputs"] {
                lines += ["", "Proposed call: \(tool)"]
                for key in inputs.keys.sorted() { lines += AnalysisPresenter.wrap(inputs[key]?.displayString ?? "null", firstPrefix: "  \(key): ", indent: "    ") }
            }
            if let errors = approval.request["errors"]?.arrayValue, !errors.isEmpty {
                lines += ["", "Errors in a row:"]
                for error in errors { lines += AnalysisPresenter.wrap(error.displayString, firstPrefix: "  • ", indent: "    ") }
            }
            lines.append("")
            lines.append("Asked \(RunPresenter.date(approval.requestedAt))"
                         + (approval.deadline.map { "; answer by \(RunPresenter.date($0)), otherwise \(approval.fallbackText)" } ?? ""))
            if !approval.reviewers.isEmpty { lines.append("Reviewers: \(approval.reviewers.joined(separator: ", "))") }
            lines.append("Run \(approval.runID), step \(approval.step)")
            let edit = approval.request["inputs"] == nil ? "" : " [--input key=value]"
            lines.append("Answer: catalynx approvals respond \(approval.runID) --decision approve|reject [--comment TEXT]\(edit)")
            return lines.joined(separator: "\n")
        }
    }

    struct Respond: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Answer a run's question and drive the run on.",
            discussion: "Exit codes as for `catalynx run`: 0 when the run then completes, 3 if it waits again.")

        @OptionGroup var selected: SelectedRun

        @Option(help: "The step asking (needed only when several wait).")
        var step: String?

        @Option(help: "approve or reject.")
        var decision: ReviewAnswer.Decision

        @Option(help: "A comment for the record and the report.")
        var comment: String?

        @Option(help: "A correction (repeatable).")
        var correction: [String] = []

        @Option(name: .customLong("input"), help: ArgumentHelp("Change an input of the call waiting for approval (repeatable).", valueName: "key=value"))
        var inputs: [String] = []

        @Option(help: "Who answers (default: $USER).")
        var by: String?

        @Option(help: "table or json.")
        var format: OutputFormat = .table

        func run() async throws {
            let app = CLIContext().app
            let id = try await app.resolveRun(selected.runID)
            let reviewer = by ?? app.configuration.user ?? "cli"
            let edits = try RunCommand.inputs(inputs).compactMapValues(\.stringValue)
            _ = try await app.answer(runID: id, step: step, ReviewAnswer(decision: decision, reviewer: reviewer, comment: comment, corrections: correction),
                                     edits: edits)
            if format == .table { Console.error("answered; continuing run \(id)") }
            let driver = try await app.driver(role: "cli")
            let state = try await driver.drive(runID: id, observer: format == .table ? RunPresenter.progressObserver() : nil)
            try finish(state, definition: try? driver.engine.definition(of: state), format: format)
        }
    }
}

extension ReviewAnswer.Decision: ExpressibleByArgument {}
