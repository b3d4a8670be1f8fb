import AgentCore
import ArgumentParser
import CatalynxApp
import Foundation

/// `catalynx runs list|show|events|pause|resume|cancel|fork|replay|prune`
struct RunsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "runs",
        abstract: "Inspect and control recorded runs.",
        discussion: "RUN_ID may be any unique prefix of a run id.",
        subcommands: [List.self, Show.self, Events.self, Pause.self, Resume.self, Cancel.self, Fork.self, Replay.self, Prune.self])

    struct Prune: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete runs that ended long ago, with their events.")

        @Option(help: ArgumentHelp("Age of the runs to delete: 30d, 12h, 90m.", valueName: "age"))
        var olderThan: String

        @Flag(help: "Keep failed runs.")
        var keepFailed = false

        func run() async throws {
            guard let number = Double(olderThan.dropLast()), number >= 0,
                  let unit = ["d": 86_400.0, "h": 3_600.0, "m": 60.0][String(olderThan.suffix(1))] else {
                throw CLIExit.badInput("error: --older-than '\(olderThan)' must be a number and a unit: 30d, 12h or 90m")
            }
            let deleted = try await CLIContext().openStore().prune(endedBefore: Date().addingTimeInterval(-number * unit), keepFailed: keepFailed)
            Console.out("deleted \(deleted) run\(deleted == 1 ? "" : "s") that ended more than \(olderThan) ago\(keepFailed ? " (failed runs kept)" : "")")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List recent runs, newest first.",
            discussion: "On PostgreSQL, also which process drives each run now (its lease owner, host:pid:role).")

        @Option(help: "Only runs with this status (\(RunStatus.allCases.map(\.rawValue).joined(separator: ", "))).")
        var status: String?

        @Option(help: "Only runs of this workflow.")
        var workflow: String?

        @Option(help: "At most this many runs.")
        var limit = 20

        @Option(help: "table or json.")
        var format: OutputFormat = .table

        func run() async throws {
            var parsedStatus: RunStatus?
            if let status {
                guard let value = RunStatus(rawValue: status) else {
                    throw CLIExit.badInput("error: --status '\(status)' is not a run status (\(RunStatus.allCases.map(\.rawValue).joined(separator: ", ")))")
                }
                parsedStatus = value
            }
            let store = try await CLIContext().openStore()
            let runs = try await store.runs(RunQuery(status: parsedStatus, workflow: workflow, limit: limit))
            let drivers = try await store.drivers(of: runs.map(\.id))
            switch format {
            case .json:
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
                encoder.dateEncodingStrategy = .iso8601
                let listed = runs.map { ListedRun(summary: $0, drivenBy: drivers?[$0.id]) }
                Console.out(String(decoding: try encoder.encode(listed), as: UTF8.self))
            case .table:
                var table = TextTable("RUN", "WORKFLOW", "STATUS", "CREATED", "EVENTS")
                if drivers != nil { table.headers.append("DRIVEN BY") }
                let formatter = ISO8601DateFormatter()
                for run in runs {
                    table.rows.append([run.id, run.workflow, run.status.rawValue, formatter.string(from: run.createdAt), String(run.version)]
                                      + (drivers.map { [$0[run.id] ?? ""] } ?? []))
                }
                Console.out(runs.isEmpty ? "no runs" : table.render())
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show a run: status, steps, attempts, errors with recovery tried, gates.")

        @OptionGroup var selected: SelectedRun

        @Option(help: "table or json.")
        var format: OutputFormat = .table

        func run() async throws {
            let (engine, id) = try await selected.open()
            let state = try await engine.store.state(of: id)
            let definition = try? engine.definition(of: state)
            switch format {
            case .json: Console.out(RunPresenter.json(state, definition: definition).jsonString(pretty: true))
            case .table: Console.out(RunPresenter.table(state, definition: definition))
            }
        }
    }

    struct Events: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print a run's event log, the run's only state.")

        @OptionGroup var selected: SelectedRun

        @Option(help: "table or json (one JSON object per line).")
        var format: OutputFormat = .table

        func run() async throws {
            let (engine, id) = try await selected.open()
            let events = try await engine.store.events(runID: id, after: 0)
            let formatter = ISO8601DateFormatter()
            formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
            for event in events {
                switch format {
                case .json:
                    var object = (try? Value(encoding: event.kind)) ?? .null
                    if case .object(var members) = object {
                        members["seq"] = .int(event.sequence)
                        members["timestamp"] = .string(formatter.string(from: event.timestamp))
                        members["run_id"] = .string(event.runID)
                        object = .object(members)
                    }
                    Console.out(object.jsonString())
                case .table:
                    Console.out("\(String(event.sequence).padding(toLength: 4, withPad: " ", startingAt: 0)) \(formatter.string(from: event.timestamp))  \(event.kind.typeName.padding(toLength: 19, withPad: " ", startingAt: 0)) \(summary(event.kind))")
                }
            }
        }

        private func summary(_ kind: EventKind) -> String {
            switch kind {
            case .runStarted(let workflow, let file, _, let inputs): "\(workflow) (\(file)) inputs \(Value.object(inputs).jsonString())"
            case .stepStarted(let step, let attempt, let tool, _, let resumed): "\(step) attempt \(attempt) [\(tool)]\(resumed ? " resumed" : "")"
            case .stepSucceeded(let step, let attempt, _, let recovery): "\(step) attempt \(attempt)\(recovery.map { " — \($0)" } ?? "")"
            case .stepFailed(let step, let error): "\(step) attempt \(error.attempt): \(error.type): \(error.message)"
            case .stepRetryScheduled(let step, let attempt, _, _, let strategy): "\(step) → attempt \(attempt): \(strategy)"
            case .stepSkipped(let step, let reason), .stepAbandoned(let step, let reason): "\(step): \(reason)"
            case .gateEvaluated(let gate, let outcome, let action, let detail): "\(gate) \(outcome.rawValue) (\(action)): \(detail)"
            case .humanInputRequested(let step, _, let request, let deadline, let fallback):
                "\(step) asks: \(request["question"]?.stringValue ?? request.jsonString())" + (deadline.map { " (until \($0), then \(fallback))" } ?? "")
            case .humanInputReceived(let step, let response, let respondent): "\(step) answered by \(respondent): \(response.jsonString())"
            case .runPaused(let reason), .runCancelled(let reason), .runFailed(let reason): reason
            case .runForked(let from, let step): "forked from run \(from) at step \(step)"
            case .runScheduled(let schedule, let tick): "started by schedule \(schedule) for its tick at \(tick.formatted(.iso8601))"
            case .agentDecided(let step, let turn, let intent, let arguments, _): "\(step) turn \(turn): \(intent) \(RunPresenter.clipped(arguments.jsonString()))"
            case .agentObserved(let step, let turn, let observation):
                "\(step) turn \(turn): " + RunPresenter.clipped(observation.errorDescription ?? "\(observation.tool ?? "tool") returned \(observation.output?.jsonString() ?? "null")")
            case .throttled(let step, let reason): (step.map { "\($0) " } ?? "") + "waits: \(reason)"
            case .runResumed, .runCompleted: ""
            }
        }
    }

    struct Pause: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Pause a run: no new step starts; steps already executing finish and are recorded.")

        @OptionGroup var selected: SelectedRun

        @Option(help: "Why, recorded in the run.")
        var reason = "paused from the command line"

        func run() async throws {
            try await control(selected) { engine, id in try await engine.pause(runID: id, reason: reason) }
        }
    }

    struct Resume: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Resume a paused or interrupted run and drive it to its end.",
            discussion: """
                A paused run is marked running again. A run whose process died mid-step continues from its \
                events: completed steps are not executed again, and the interrupted step runs again with the \
                same idempotency key. A run waiting for a person resumes only once the answer is overdue \
                (then the step's fallback applies); answer it with `catalynx approvals respond`. Exit codes \
                as for `catalynx run`.
                """)

        @OptionGroup var selected: SelectedRun

        @Option(help: "table or json.")
        var format: OutputFormat = .table

        func run() async throws {
            let (engine, id) = try await selected.open()
            var state = try await engine.store.state(of: id)
            if state.status.isTerminal {
                throw CLIExit.badInput("error: run \(id) is \(state.status.rawValue); there is nothing to resume")
            }
            if state.status == .paused || state.status == .waiting {
                do {
                    state = try await engine.resume(runID: id)
                } catch let error as EngineError {
                    throw CLIExit.badInput("error: \(error)")
                }
            }
            let definition: WorkflowDefinition
            do {
                definition = try engine.definition(of: state)
            } catch {
                throw CLIExit.badInput("error: run \(id) cannot be resumed here: its workflow no longer validates:\n\(error)")
            }
            if format == .table { Console.error("resuming run \(id) — \(state.workflowName)") }
            let final = try await CLIContext.driver(for: engine).drive(runID: id, observer: format == .table ? RunPresenter.progressObserver() : nil)
            try finish(final, definition: definition, format: format)
        }
    }

    struct Cancel: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Cancel a run that has not ended.")

        @OptionGroup var selected: SelectedRun

        @Option(help: "Why, recorded in the run.")
        var reason = "cancelled from the command line"

        func run() async throws {
            try await control(selected) { engine, id in try await engine.cancel(runID: id, reason: reason) }
        }
    }
}

/// A run as `runs list --format json` shows it: its summary and, on a shared store, the lease owner driving it now.
private struct ListedRun: Encodable {
    var summary: RunSummary
    var drivenBy: String?

    func encode(to encoder: any Encoder) throws {
        try summary.encode(to: encoder)
        var container = encoder.container(keyedBy: Key.self)
        try container.encodeIfPresent(drivenBy, forKey: .drivenBy)
    }

    private enum Key: String, CodingKey { case drivenBy }
}

/// The run a subcommand acts on.
struct SelectedRun: ParsableArguments {
    @Argument(help: "The run id (or a unique prefix).")
    var runID: String

    /// Opens the engine and resolves the id (a prefix is enough).
    func open() async throws -> (WorkflowEngine, String) {
        let context = CLIContext()
        let engine = try await context.engine()
        return (engine, try await context.resolveRun(runID))
    }
}

/// Applies a control operation and reports the new status.
private func control(_ selected: SelectedRun, _ operation: (WorkflowEngine, String) async throws -> RunState) async throws {
    let (engine, id) = try await selected.open()
    do {
        let state = try await operation(engine, id)
        Console.out("run \(id) is \(state.status.rawValue)")
    } catch let error as EngineError {
        throw CLIExit.badInput("error: \(error)")
    }
}
