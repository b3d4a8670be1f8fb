import AgentCore
import ArgumentParser
import CatalynxApp
import Foundation

/// `catalynx run FILE --input key=value …`
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a workflow and wait for it to end.",
        discussion: """
            WORKFLOW is a YAML file or the name of a workflow found by `catalynx workflows list`. \
            Each step is shown on stderr as it starts and ends. The run is recorded durably: if the \
            process dies, `catalynx runs resume RUN_ID` continues it.

            Exit codes: 0 completed, 1 failed or cancelled, 2 invalid workflow or inputs, 3 paused.
            """)

    @Argument(help: "The workflow file (or name) to run.")
    var workflow: String

    @Option(name: .customLong("input"), help: ArgumentHelp("An input, as key=value (repeatable). Lists and objects as JSON.", valueName: "key=value"))
    var inputs: [String] = []

    @Option(help: "table or json.")
    var format: OutputFormat = .table

    @Flag(help: "Record the run and print its id without running it: `catalynx worker` processes drive it.")
    var detach = false

    func run() async throws {
        let context = CLIContext()
        let definition = try context.loadWorkflow(workflow)
        let given = try Self.inputs(inputs)
        let bound: [String: Value]
        do {
            bound = try definition.bindInputs(given)
        } catch {
            throw CLIExit.badInput("error: invalid inputs for workflow '\(definition.name)':\n" + error.problems.map { "  " + $0 }.joined(separator: "\n"))
        }
        let driver = try await context.driver()
        if detach {
            Console.out(try await driver.engine.start(definition, inputs: bound))
            return
        }
        let runID = driver.engine.newRunID()
        if format == .table { Console.error("run \(runID) — \(definition.name)") }
        let state = try await driver.run(definition, inputs: bound, runID: runID,
                                         observer: format == .table ? RunPresenter.progressObserver() : nil)
        try finish(state, definition: definition, format: format)
    }
}

extension RunCommand {
    /// The `--input key=value` options as given (strings: binding converts them to the declared types).
    static func inputs(_ pairs: [String]) throws -> [String: Value] {
        var given: [String: Value] = [:]
        for pair in pairs {
            guard let separator = pair.firstIndex(of: "="), separator != pair.startIndex else {
                throw CLIExit.badInput("error: --input '\(pair)' must be key=value")
            }
            given[String(pair[..<separator])] = .string(String(pair[pair.index(after: separator)...]))
        }
        return given
    }
}

/// Prints a run's final state and exits with the code its status implies.
func finish(_ state: RunState, definition: WorkflowDefinition?, format: OutputFormat) throws {
    switch format {
    case .json: Console.out(RunPresenter.json(state, definition: definition).jsonString(pretty: true))
    case .table: Console.out(RunPresenter.table(state, definition: definition))
    }
    let code = ExitStatus(state.status)
    if code != .completed { throw CLIExit(code: code, message: nil) }
}
