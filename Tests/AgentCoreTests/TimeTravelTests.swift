import Foundation
import Testing
import TestSupport
@testable import AgentCore

/// Forking a run from a step, and replaying a log against its workflow, on each store.
@Suite("Time travel: fork and replay")
struct TimeTravelTests {
    let log = ExecutionLog()

    static let chain = """
        workflow: chain
        inputs:
          - { name: greeting, type: string, default: hello }
        steps:
          - { name: a, tool: echo, inputs: { value: "{{ greeting }}" } }
          - { name: b, tool: echo, depends_on: [a], inputs: { value: "{{ a.value }} world" } }
          - { name: c, tool: echo, depends_on: [b], inputs: { value: "{{ b.value }}!" } }
        """

    func engine(_ store: any RunStore) -> WorkflowEngine {
        WorkflowEngine(store: store, registry: Fixtures.engineRegistry(log: log), ids: SequentialRunIDs(prefix: "r"))
    }

    func load(_ yaml: String) throws -> WorkflowDefinition {
        try WorkflowLoader.load(source: yaml, file: "chain.yaml", registry: Fixtures.engineRegistry(log: log))
    }

    @Test(arguments: StoreBackend.allCases) func aForkKeepsTheStepsBeforeItsPointAndRunsTheRestAgain(_ backend: StoreBackend) async throws {
        let store = try await backend.open()
        let engine = engine(store)
        let definition = try load(Self.chain)
        let original = try await engine.run(definition, inputs: try definition.bindInputs([:]))
        #expect(original.step("c").output == ["value": "hello world!"])

        let forkID = try await engine.fork(runID: original.runID, from: "b")
        let forked = try await engine.drive(runID: forkID)
        #expect(forked.status == .completed)
        #expect(forked.forkedFrom == ForkOrigin(run: original.runID, step: "b"))
        #expect(forked.step("c").output == ["value": "hello world!"])
        // a ran once, in the original; b and c ran again in the fork.
        #expect(log.all == ["r1/a/1", "r1/b/1", "r1/c/1", "r2/b/1", "r2/c/1"])
        // The copied events keep their times: the fork's timeline shows how long step a took.
        let stepA = { (events: [RunEvent]) in events.filter { $0.kind.stepName == "a" }.map(\.timestamp) }
        let copiedTimes = stepA(try await store.events(runID: forkID, after: 0))
        let originalTimes = stepA(try await store.events(runID: original.runID, after: 0))
        #expect(copiedTimes.count == 2 && copiedTimes == originalTimes)
        let untouched = try await store.state(of: original.runID)
        #expect(untouched.version == original.version && untouched.forkedFrom == nil)
    }

    @Test(arguments: StoreBackend.allCases) func aForkFromTheFirstStepTakesNewInputs(_ backend: StoreBackend) async throws {
        let store = try await backend.open()
        let engine = engine(store)
        let definition = try load(Self.chain)
        let original = try await engine.run(definition, inputs: try definition.bindInputs([:]))
        let forked = try await engine.drive(runID: try await engine.fork(runID: original.runID, from: "a", inputs: ["greeting": "goodbye"]))
        #expect(forked.inputs["greeting"] == "goodbye")
        #expect(forked.step("c").output == ["value": "goodbye world!"])
        await #expect(throws: InputBindingError.self) { try await engine.fork(runID: original.runID, from: "a", inputs: ["nonsense": "1"]) }
    }

    @Test func aForkNamesOnlyAStepThatBegan() async throws {
        let engine = engine(MemoryRunStore())
        let definition = try load(Self.chain)
        let original = try await engine.run(definition, inputs: try definition.bindInputs([:]))
        do {
            _ = try await engine.fork(runID: original.runID, from: "z")
            Issue.record("forked from a step that does not exist")
        } catch let error as EngineError {
            #expect(error.description == "step 'z' never began in run r1, so there is nothing to fork from; steps that began: a, b, c")
        }
    }

    @Test(arguments: StoreBackend.allCases) func aRunReplaysAgainstItsWorkflowAndDivergesFromAChangedOne(_ backend: StoreBackend) async throws {
        let store = try await backend.open()
        let engine = engine(store)
        let definition = try load(Self.chain)
        let run = try await engine.run(definition, inputs: try definition.bindInputs([:]))
        let events = try await store.events(runID: run.runID, after: 0)

        let replay = RunReplay(definition, runID: run.runID, events: events)
        #expect(replay.divergence == nil)
        #expect(replay.decisionsChecked == 4)  // three steps started, the run completed
        #expect(replay.state.status == .completed && replay.state.version == run.version)

        // The same log against a workflow whose second step now says something else.
        let changed = try load(Self.chain.replacingOccurrences(of: "{{ a.value }} world", with: "{{ a.value }} there"))
        let diverged = try #require(RunReplay(changed, runID: run.runID, events: events).divergence)
        let startOfB = try #require(events.first { if case .stepStarted("b", _, _, _, _) = $0.kind { true } else { false } })
        #expect(diverged.sequence == startOfB.sequence)
        #expect(diverged.decided == [#"StepStarted b#1 (echo) inputs {"value":"hello there"}"#])
        #expect(RunReplay.describe(diverged.recorded) == #"StepStarted b#1 (echo) inputs {"value":"hello world"}"#)
    }

    @Test func aForkedRunReplaysToo() async throws {
        let engine = engine(MemoryRunStore())
        let definition = try load(Self.chain)
        let original = try await engine.run(definition, inputs: try definition.bindInputs([:]))
        let forked = try await engine.drive(runID: try await engine.fork(runID: original.runID, from: "c"))
        let replay = RunReplay(definition, runID: forked.runID, events: try await engine.store.events(runID: forked.runID, after: 0))
        #expect(replay.divergence == nil)
        #expect(replay.state.forkedFrom?.step == "c")
    }
}
