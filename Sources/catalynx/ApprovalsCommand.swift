import AgentCore
import ArgumentParser
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
            let context = CLIContext()
            let items = try await context.openStore().openHumanRequests()
            switch format {
            case .json:
                Console.out(Value.array(items.map { item in
                    ["run_id": .string(item.run.runID), "workflow": .string(item.run.workflowName), "step": .string(item.step),
                     "request": item.request.request, "requested_at": .double(item.request.requestedAt.timeIntervalSince1970),
                     "deadline": item.request.deadline.map { .double($0.timeIntervalSince1970) } ?? .null, "fallback": .string(item.request.fallback)]
                }).jsonString(pretty: true))
            case .table:
                guard !items.isEmpty else { Console.out("no questions are waiting for an answer"); return }
                var table = TextTable("RUN", "STEP", "QUESTION", "DEADLINE")
                for item in items {
                    table.add(item.run.runID, item.step, item.request.request["question"]?.stringValue ?? item.request.request.jsonString(),
                              item.request.deadline.map { ISO8601DateFormatter().string(from: $0) } ?? "none")
                }
                Console.out(table.render())
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "A run's open question with its context and findings.")

        @OptionGroup var selected: SelectedRun

        func run() async throws {
            let context = CLIContext()
            let store = try await context.openStore()
            let id = try await context.resolveRun(selected.runID, in: store)
            let state = try await store.state(of: id)
            let waiting = state.steps.filter { $0.value.status == .waiting && $0.value.human?.response == nil }
            guard !waiting.isEmpty else { throw CLIExit(code: .notFound, message: "error: run \(id) has no open question (it is \(state.status.rawValue))") }
            for (name, step) in waiting.sorted(by: { $0.key < $1.key }) {
                Console.out("run \(id) · step \(name) · fallback \(step.human?.fallback ?? "?")")
                Console.out(step.human?.request.jsonString(pretty: true) ?? "")
            }
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

        @Option(help: "Who answers (default: $USER).")
        var by: String?

        @Option(help: "table or json.")
        var format: OutputFormat = .table

        func run() async throws {
            let context = CLIContext()
            let engine = try await context.engine()
            let id = try await context.resolveRun(selected.runID, in: engine.store)
            let reviewer = by ?? context.environment["USER"] ?? "cli"
            let answer = ReviewAnswer(decision: decision, reviewer: reviewer, comment: comment, corrections: correction)
            do {
                _ = try await engine.respond(runID: id, step: step, response: answer.value, respondent: reviewer)
            } catch let error as EngineError {
                throw CLIExit.badInput("error: \(error)")
            }
            if format == .table { Console.error("answered; continuing run \(id)") }
            let state = try await engine.driveAttached(runID: id, observer: format == .table ? RunPresenter.progressObserver() : nil)
            try finish(state, definition: try? engine.definition(of: state), format: format)
        }
    }
}

extension ReviewAnswer.Decision: ExpressibleByArgument {}
