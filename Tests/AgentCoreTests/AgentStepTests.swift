import Foundation
import Synchronization
import Testing
import TestSupport
@testable import AgentCore

/// Agent steps: the model chooses, the runtime executes, every turn is an event.
@Suite("Agent steps")
struct AgentStepTests {
    let log = ExecutionLog()

    func engine(_ store: any RunStore, _ model: (any AgentModel)?) -> WorkflowEngine {
        var engine = WorkflowEngine(store: store, registry: Fixtures.engineRegistry(log: log), agentModel: model)
        engine.pollInterval = .milliseconds(20)
        return engine
    }

    func load(_ agent: String) throws -> WorkflowDefinition {
        let yaml = """
            workflow: investigate
            steps:
              - name: investigate
                inputs: { topic: "grants" }
                agent:
            \(agent.split(separator: "\n").map { "      \($0)" }.joined(separator: "\n"))
            """
        return try WorkflowLoader.load(source: yaml, file: "w.yaml", registry: Fixtures.engineRegistry(log: log))
    }

    @Test(arguments: StoreBackend.allCases) func theModelChoosesToolsTheRuntimeRunsThemAndDoneEndsTheStep(_ backend: StoreBackend) async throws {
        let model = ScriptedAgentModel([
            .call("echo", ["value": "first look"]),
            .call("echo", ["value": "second look"]),
            .call("done", ["answer": "it fits"]),
        ])
        let definition = try load("function: NextStep\ntools: [echo]")
        let store = try await backend.open()
        let state = try await engine(store, model).run(definition, inputs: [:])
        #expect(state.status == .completed)
        #expect(state.step("investigate").output == ["answer": "it fits", "turns": 3, "llm": .array(Array(repeating: ["model": "scripted", "input_tokens": 10], count: 3))])
        #expect(log.all == ["\(state.runID)/investigate/1/1", "\(state.runID)/investigate/1/2"])
        // Each turn the model saw the thread so far: the inputs, its calls and their results.
        #expect(model.prompts.count == 3)
        #expect(model.prompts[0] == "<inputs>\ntopic: grants\n</inputs>")
        #expect(model.prompts[2].contains("<echo>\nvalue: first look\n</echo>\n\n<echo_result>\nvalue: first look\n</echo_result>"))
        #expect(model.prompts[2].hasSuffix("<echo_result>\nvalue: second look\n</echo_result>"))
        let kinds = try await store.events(runID: state.runID, after: 0).map(\.kind.typeName)
        #expect(kinds == ["RunStarted", "StepStarted", "AgentDecided", "AgentObserved", "AgentDecided", "AgentObserved", "AgentDecided",
                          "StepSucceeded", "RunCompleted"])
    }

    @Test(arguments: StoreBackend.allCases) func aRecordedTurnIsNeverAskedAgainAfterAPauseForApproval(_ backend: StoreBackend) async throws {
        let store = try await backend.open()
        let first = ScriptedAgentModel([.call("echo", ["value": "send the letter"])])
        let definition = try load("function: NextStep\ntools: [echo]\npolicy: { echo: approve }")
        let waiting = try await engine(store, first).run(definition, inputs: [:])
        #expect(waiting.status == .waiting)
        let request = try #require(waiting.step("investigate").human?.request)
        #expect(request["kind"] == "approval" && request["tool"] == "echo" && request["inputs"] == ["value": "send the letter"])
        #expect(log.all.isEmpty)                                   // chosen, not executed
        // The reviewer edits the call; another process (a new engine and model) goes on from the log.
        _ = try await engine(store, first).respond(runID: waiting.runID, response: ["decision": "approve", "inputs": ["value": "send the edited letter"]],
                                                   respondent: "ann")
        let second = ScriptedAgentModel([.call("done", ["answer": "sent"])])
        let done = try await engine(store, second).drive(runID: waiting.runID)
        #expect(done.status == .completed)
        #expect(second.prompts.count == 1)                         // turn 1 was not asked again
        #expect(second.prompts[0].contains("<echo_result>\nvalue: send the edited letter\n</echo_result>"))
        #expect(log.all == ["\(waiting.runID)/investigate/1/1"])
        let events = try await store.events(runID: waiting.runID, after: 0).map(\.kind.typeName)
        #expect(events.filter { $0 == "AgentDecided" }.count == 2 && events.filter { $0 == "AgentObserved" }.count == 1)
    }

    @Test func aRejectedCallIsToldToTheModelWhichChoosesAgain() async throws {
        let store = MemoryRunStore()
        let model = ScriptedAgentModel([.call("echo", ["value": "risky"]), .call("done", ["answer": "did without it"])])
        let definition = try load("function: NextStep\ntools: [echo]\npolicy: { echo: approve }")
        let waiting = try await engine(store, model).run(definition, inputs: [:])
        _ = try await engine(store, model).respond(runID: waiting.runID, response: ["decision": "reject", "comment": "not now"], respondent: "bob")
        let done = try await engine(store, model).drive(runID: waiting.runID)
        #expect(done.step("investigate").output?["answer"] == "did without it")
        #expect(log.all.isEmpty)
        #expect(model.prompts[1].contains("<human_response from=\"bob\">\ncomment: not now\ndecision: reject\n</human_response>"))
    }

    @Test func errorsAreCompactedIntoTheThreadAndEscalateToAPersonAfterTheLimit() async throws {
        let store = MemoryRunStore()
        let model = ScriptedAgentModel([
            .call("http_delete", ["url": "x"]),     // not one of its tools
            .unreadable,                           // garbage
            .call("flaky", ["n": 5, "retryable": false]),  // denied by policy
            .call("echo", ["value": "ok"]),
            .call("done", ["answer": "found it"]),
        ])
        let definition = try load("function: NextStep\ntools: [echo, flaky]\nmax_errors: 3\npolicy: { flaky: deny }")
        let waiting = try await engine(store, model).run(definition, inputs: [:])
        #expect(waiting.status == .waiting)
        let request = try #require(waiting.step("investigate").human?.request)
        #expect(request["kind"] == "agent_escalation")
        #expect(request["errors"]?.arrayValue?.compactMap(\.stringValue) == [
            "UnknownTool: 'http_delete' is not a tool this step may call; it may call echo, flaky, done, request_human_input",
            "UnreadableAnswer: the answer could not be read as NextStep",
            "Denied: calls of flaky are denied by the step's policy",
        ])
        _ = try await engine(store, model).respond(runID: waiting.runID, response: ["answer": "use echo"], respondent: "ann")
        let done = try await engine(store, model).drive(runID: waiting.runID)
        #expect(done.status == .completed && done.step("investigate").output?["answer"] == "found it")
        #expect(model.prompts[3].contains("<error source=\"model\">\nUnreadableAnswer: the answer could not be read as NextStep\n</error>"))
        #expect(model.prompts[3].contains("<human_response from=\"ann\">\nanswer: use echo\n</human_response>"))
        #expect(log.all == ["\(waiting.runID)/investigate/1/4"])
    }

    @Test func aToolErrorResolvedByALaterSuccessIsLeftOutOfThePrompt() async throws {
        let model = ScriptedAgentModel([
            .call("flaky", ["n": 1, "retryable": false]),
            .call("echo", ["value": "other"]),
            .call("done", ["answer": "a"]),
        ])
        let definition = try load("function: NextStep\ntools: [echo, flaky]")
        let state = try await engine(MemoryRunStore(), model).run(definition, inputs: [:])
        #expect(state.status == .completed)
        #expect(model.prompts[1].contains("<error tool=\"flaky\">\nFlaky: attempt 1 fails\n</error>"))
        #expect(state.step("investigate").agent?.entries.count == 5)
    }

    @Test func aPersonAnswersTheModelsQuestion() async throws {
        let store = MemoryRunStore()
        let model = ScriptedAgentModel([.call("request_human_input", ["question": "Which state?"]), .call("done", ["answer": "Virginia it is"])])
        let definition = try load("function: NextStep\ntools: [echo]\nserializer: json")
        let waiting = try await engine(store, model).run(definition, inputs: [:])
        #expect(waiting.step("investigate").human?.request["question"] == "Which state?")
        _ = try await engine(store, model).respond(runID: waiting.runID, response: ["answer": "VA"], respondent: "ann")
        let done = try await engine(store, model).drive(runID: waiting.runID)
        #expect(done.step("investigate").output?["answer"] == "Virginia it is")
        #expect(model.prompts[1].split(separator: "\n").last == #"{"from":"ann","response":{"answer":"VA"},"type":"human_response"}"#)
    }

    @Test func withoutAModelOrWhenItFailsTheStepTakesItsFallbackTool() async throws {
        let fallback = try WorkflowLoader.load(source: """
            workflow: investigate
            steps:
              - name: investigate
                inputs: { value: "from the rules" }
                agent: { function: NextStep, tools: [echo], fallback: echo }
                retry: { max_attempts: 2, delay_s: 0 }
            """, file: "w.yaml", registry: Fixtures.engineRegistry(log: log))
        let offline = try await engine(MemoryRunStore(), nil).run(fallback, inputs: [:])
        #expect(offline.status == .completed && offline.step("investigate").output == ["value": "from the rules"])
        #expect(offline.step("investigate").errors.first?.type == "NoModel")
        // A model that keeps failing: retried per the step's policy, then the fallback.
        let failing = ScriptedAgentModel([.unavailable, .unavailable])
        let degraded = try await engine(MemoryRunStore(), failing).run(fallback, inputs: [:])
        #expect(degraded.status == .completed && degraded.step("investigate").output == ["value": "from the rules"])
        #expect(degraded.step("investigate").errors.map(\.type) == ["ModelUnavailable", "ModelUnavailable"])
    }

    @Test func theTurnBudgetEndsALoopThatNeverAnswers() async throws {
        let model = ScriptedAgentModel(Array(repeating: .call("echo", ["value": "again"]), count: 10))
        let definition = try load("function: NextStep\ntools: [echo]\nmax_turns: 3")
        let state = try await engine(MemoryRunStore(), model).run(definition, inputs: [:])
        #expect(state.status == .failed)
        #expect(state.failureReason == "step 'investigate' failed after 1 attempt: AgentTurnBudget: the agent used its 3 turns without an answer")
        #expect(model.prompts.count == 3)
    }

    @Test func agentStepsAreCheckedWhenTheWorkflowLoads() throws {
        func problems(_ agent: String) -> String {
            do {
                _ = try load(agent)
                return ""
            } catch {
                return "\(error)"
            }
        }
        #expect(problems("function: NextStep\ntools: [echo, nope]").contains("unknown tool 'nope' in the agent of step 'investigate'"))
        #expect(problems("function: NextStep\ntools: [echo]\npolicy: { ehco: approve }").contains("the policy names 'ehco', which is not in the agent's tools"))
        #expect(problems("function: NextStep\ntools: [echo]\npolicy: { echo: sometimes }").contains("unknown policy 'sometimes' for echo"))
        #expect(problems("function: NextStep\ntools: [echo]\nserializer: yaml").contains("unknown serializer 'yaml'"))
        #expect(problems("tools: [echo]").contains("missing required key 'function'"))
        #expect(problems("function: NextStep\ntools: [echo, done]").contains("'done' is built in"))
        #expect(problems("function: NextStep\ntools: [echo]\nmax_turns: 0").contains("'max_turns' must be a whole number greater than 0"))
        #expect(problems("function: NextStep\ntools: [echo]\nmax_turn: 3").contains("unknown key 'max_turn'"))
        let both = try? WorkflowLoader.load(source: """
            workflow: w
            steps:
              - name: s
                tool: echo
                agent: { function: F, tools: [echo] }
            """, file: "w.yaml", registry: Fixtures.engineRegistry(log: log))
        #expect(both == nil)
    }

    @Test func agentEventsRoundTripThroughTheirStoredForm() throws {
        let events: [EventKind] = [
            .agentDecided(step: "s", turn: 2, intent: "echo", arguments: ["value": 1], llm: [["model": "m"]]),
            .agentObserved(step: "s", turn: 2, observation: AgentObservation(source: .tool, tool: "echo", inputs: ["value": 1], output: ["value": 1])),
            .agentObserved(step: "s", turn: 3, observation: AgentObservation(source: .model, errorType: "UnreadableAnswer", message: "garbage")),
        ]
        for event in events { #expect(try EventKind(value: event.value) == event) }
    }
}
