import AgentCore
import ArgumentParser
import CatalynxApp
import Foundation
import GrantResearch

extension RunsCommand {
    /// `catalynx runs fork RUN --from STEP [--input k=v …]`
    struct Fork: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Make a new run from a run's history up to a step, and run it from there.",
            discussion: """
                The new run's log copies the original's events up to the moment STEP began: the steps \
                before it keep their results, STEP and everything after it run again (with the inputs \
                --input changes; the others stay). The new run records where it came from (`runs show`: \
                forked). The original is not changed. Exit codes as for `catalynx run`.
                """)

        @OptionGroup var selected: SelectedRun

        @Option(name: .customLong("from"), help: ArgumentHelp("The step to run again from.", valueName: "step"))
        var step: String

        @Option(name: .customLong("input"), help: ArgumentHelp("An input to change, as key=value (repeatable).", valueName: "key=value"))
        var inputs: [String] = []

        @Option(help: "table or json.")
        var format: OutputFormat = .table

        @Flag(help: "Record the new run and print its id without running it: `catalynx worker` processes drive it.")
        var detach = false

        func run() async throws {
            let (engine, id) = try await selected.open()
            let forkID: String
            do {
                forkID = try await engine.fork(runID: id, from: step, inputs: try RunCommand.inputs(inputs))
            } catch let error as EngineError {
                throw CLIExit.badInput("error: \(error)")
            } catch let error as InputBindingError {
                throw CLIExit.badInput("error: invalid inputs for the fork of run \(id):\n" + error.problems.map { "  " + $0 }.joined(separator: "\n"))
            } catch let error as WorkflowValidationError {
                throw CLIExit.badInput("error: run \(id) cannot be forked here: its workflow no longer validates:\n\(error)")
            }
            if detach {
                Console.out(forkID)
                return
            }
            if format == .table { Console.error("run \(forkID) — forked from run \(id) at step \(step)") }
            let state = try await CLIContext.driver(for: engine).drive(runID: forkID, observer: format == .table ? RunPresenter.progressObserver() : nil)
            try finish(state, definition: try? engine.definition(of: state), format: format)
        }
    }

    /// `catalynx runs replay RUN`
    struct Replay: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check that a run's log still replays: the workflow decides every recorded step again.",
            discussion: """
                Folds the run's events again and, before each event the engine decided (a step started, \
                skipped or abandoned, a retry, a gate, the run's end), asks the workflow what it decides on \
                the state so far. Prints the first event it no longer decides, with what it decides instead \
                (a change to the workflow or the code since the run), and whether the folded state is the \
                one the store records. By default the run is checked against the workflow source it \
                recorded (a change to Catalynx since); --workflow checks it against another version of the \
                workflow, such as the file as edited since. Exit codes: 0 it replays, 1 it diverges.
                """)

        @OptionGroup var selected: SelectedRun

        @Option(help: ArgumentHelp("Check against this workflow (a file or a name) instead of the source the run recorded.", valueName: "workflow"))
        var workflow: String?

        @Option(help: "table or json.")
        var format: OutputFormat = .table

        func run() async throws {
            let (engine, id) = try await selected.open()
            let events = try await engine.store.events(runID: id, after: 0)
            let folded = RunState(runID: id, events: events)
            let definition: WorkflowDefinition
            if let workflow {
                definition = try CLIContext().loadWorkflow(workflow)
            } else {
                do {
                    definition = try engine.definition(of: folded)
                } catch {
                    throw CLIExit.badInput("error: run \(id) cannot be replayed here: its workflow no longer validates:\n\(error)")
                }
            }
            let replay = RunReplay(definition, runID: id, events: events)
            let recorded = try await engine.store.runs(RunQuery(id: id, limit: 1)).first
            let stateMatches = recorded.map { $0.status == replay.state.status && $0.version == replay.state.version } ?? false
            switch format {
            case .json:
                var object: [String: Value] = [
                    "run_id": .string(id), "events": .int(replay.events), "decisions_checked": .int(replay.decisionsChecked),
                    "deterministic": .bool(replay.divergence == nil), "status": .string(replay.state.status.rawValue),
                    "recorded_status": recorded.map { .string($0.status.rawValue) } ?? .null, "state_matches": .bool(stateMatches),
                ]
                if let divergence = replay.divergence {
                    object["divergence"] = ["sequence": .int(divergence.sequence), "recorded": .string(RunReplay.describe(divergence.recorded)),
                                            "decided": .array(divergence.decided.map(Value.string))]
                }
                Console.out(Value.object(object).jsonString(pretty: true))
            case .table:
                Console.out("run \(id): \(Plural.count(replay.events, "event")), \(Plural.count(replay.decisionsChecked, "decision")) checked against \(definition.name)")
                if let divergence = replay.divergence {
                    Console.out("diverges at event \(divergence.sequence):")
                    Console.out("  - recorded: \(RunReplay.describe(divergence.recorded))")
                    Console.out("  + decided:  " + (divergence.decided.isEmpty ? "nothing" : divergence.decided.joined(separator: "; ")))
                } else {
                    Console.out("replays: every decision is made again the same way")
                }
                Console.out("state: \(replay.state.status.rawValue) at event \(replay.state.version)"
                            + (stateMatches ? ", as recorded" : ", but the store records \(recorded.map { "\($0.status.rawValue) at event \($0.version)" } ?? "no such run")"))
            }
            if replay.divergence != nil || !stateMatches { throw CLIExit(code: .failed, message: nil) }
        }
    }
}
