import AgentCore
import AgentTools
import Foundation
import Testing
import TestSupport
@testable import AgentStore

/// Workers on PostgreSQL fire the timers of runs they are not driving (a run waiting for a person
/// is picked up again when its answer deadline passes, and the step's fallback applies), and idle
/// workers are woken by LISTEN/NOTIFY when a run is enqueued.
@Suite("Run workers on PostgreSQL")
struct RunWorkerTests {
    /// Asks a person; with an answer (or a timeout) returns it.
    struct Ask: Tool {
        struct Input: Codable, Sendable { var question: String }
        struct Output: Codable, Sendable { var answer: Value }
        let name = "ask"
        let description = "Asks a person."
        func execute(_ input: Input, context: ToolContext) async throws -> Output {
            guard let answer = context.humanResponse else {
                throw HumanInputRequest(request: ["question": .string(input.question)], timeout: 0.5, fallback: .proceedWithAI)
            }
            return Output(answer: answer)
        }
    }

    @Test func anOverdueQuestionIsPickedUpByAWorkerAndItsFallbackApplies() async throws {
        let store = try await RunStoreLocation.postgres(url: try await TestPostgres.freshDatabase()).open()
        let leasing = try #require(store.leasing)
        var registry = ToolRegistry()
        BuiltinTools.register(in: &registry, home: NSTemporaryDirectory(), environment: [:])
        registry.register(Ask())
        let definition = try WorkflowLoader.load(source: """
            workflow: asking
            steps:
              - { name: question, tool: ask, inputs: { question: "Approve?" } }
              - { name: after, tool: echo, depends_on: [question], inputs: { value: "{{ question.answer }}" } }
            """, file: "asking.yaml", registry: registry)
        let engine = WorkflowEngine(store: store, registry: registry)
        let id = try await engine.start(definition, inputs: [:])
        let worker = RunDriver.Worker(engine: engine, leasing: leasing, owner: "test", concurrency: 2, lease: .seconds(5), grace: .seconds(1),
                                      idlePoll: .milliseconds(100))
        let running = Task { try await worker.run() }
        defer { running.cancel() }
        var state = try await store.state(of: id)
        for _ in 0..<200 where state.status != .completed {
            try await Task.sleep(for: .milliseconds(50))
            state = try await store.state(of: id)
        }
        await worker.stop()
        _ = try await running.value
        #expect(state.status == .completed)
        #expect(state.step("question").human?.respondent == "timeout")
        #expect(state.step("after").output == ["value": ["timed_out": true]])
        #expect(await worker.driven >= 2)  // once to the question, once after its deadline
    }

    @Test func anIdleWorkerIsWokenByANewRunRatherThanItsPoll() async throws {
        let store = try await RunStoreLocation.postgres(url: try await TestPostgres.freshDatabase()).open()
        let leasing = try #require(store.leasing)
        #expect(leasing.wakeUps() != nil)
        var registry = ToolRegistry()
        BuiltinTools.register(in: &registry, home: NSTemporaryDirectory(), environment: [:])
        let definition = try WorkflowLoader.load(source: """
            workflow: hello
            steps:
              - { name: greet, tool: echo, inputs: { value: "hi" } }
            """, file: "hello.yaml", registry: registry)
        let engine = WorkflowEngine(store: store, registry: registry)
        // Polling once a minute: only an announcement can start the run within the test.
        let worker = RunDriver.Worker(engine: engine, leasing: leasing, owner: "idle", concurrency: 2, lease: .seconds(300), grace: .seconds(1),
                                      idlePoll: .seconds(60))
        let running = Task { try await worker.run() }
        defer { running.cancel() }
        try await Task.sleep(for: .milliseconds(500))  // the worker has looked once, found nothing, and waits
        var ids: [String] = []
        for _ in 0..<3 {
            ids.append(try await engine.start(definition, inputs: [:]))
            var status = try await store.state(of: ids.last!).status
            for _ in 0..<100 where status != .completed {
                try await Task.sleep(for: .milliseconds(50))
                status = try await store.state(of: ids.last!).status
            }
            #expect(status == .completed, "run \(ids.count) was not woken for")
            try await Task.sleep(for: .milliseconds(200))  // idle again
        }
        await worker.stop()
        _ = try await running.value
        #expect(await worker.driven == 3)
    }
}
