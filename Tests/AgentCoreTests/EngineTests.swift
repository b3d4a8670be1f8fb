import Foundation
import Synchronization
import Testing
import TestSupport
@testable import AgentCore

/// The engine driver, on each store: in memory, the embedded SQLite file and a real PostgreSQL server.
@Suite("Engine driver")
struct EngineTests {
    let log = ExecutionLog()

    func engine(_ store: any RunStore) -> WorkflowEngine {
        var engine = WorkflowEngine(store: store, registry: Fixtures.engineRegistry(log: log))
        engine.pollInterval = .milliseconds(20)
        return engine
    }

    func load(_ yaml: String, registry: ToolRegistry? = nil) throws -> WorkflowDefinition {
        try WorkflowLoader.load(source: yaml, file: "w.yaml", registry: registry ?? Fixtures.engineRegistry(log: log))
    }

    @Test(arguments: StoreBackend.allCases) func theSeedWorkflowRunsWithStubTools(_ backend: StoreBackend) async throws {
        let store = try await backend.open()
        let registry = Fixtures.seedRegistry(completeness: 0.9, confidence: 0.5)
        let definition = try load(try Fixtures.source("current_tier.yaml"), registry: registry)
        let engine = WorkflowEngine(store: store, registry: registry)
        let state = try await engine.run(definition, inputs: try definition.bindInputs(["organization_ein": "541230284"]))
        #expect(state.status == .completed)
        #expect(state.resolve(["validated_ein"], in: definition) == "54-1230284")
        #expect(state.resolve(["final_report", "risk", "score"], in: definition) == 30)
        #expect(state.gates["data_sufficiency"]?.outcome == .passed)
        #expect(state.gates["analysis_confidence"]?.outcome == .failed)
        #expect(state.gates["analysis_confidence"]?.action == "expert_validation_recommended")
    }

    static let review = """
        workflow: review
        steps:
          - name: draft
            tool: echo
            inputs: { value: "report" }
          - name: approve
            tool: ask
            depends_on: [draft]
            inputs: { value: null }
          - name: publish
            tool: echo
            depends_on: [approve]
            inputs: { value: "{{ approve.value }}" }
        """

    @Test(arguments: StoreBackend.allCases) func aStepThatAsksAPersonWaitsDurablyAndResumesWithTheAnswer(_ backend: StoreBackend) async throws {
        let store = try await backend.open()
        let engine = self.engine(store)
        let definition = try load(Self.review)
        let waiting = try await engine.run(definition, inputs: [:])
        #expect(waiting.status == .waiting)
        #expect(waiting.step("approve").status == .waiting && waiting.step("approve").human?.request["question"] == "approve?")
        #expect(waiting.step("publish").status == .pending)
        await #expect(throws: EngineError.self) { try await engine.resume(runID: waiting.runID) }   // no answer yet
        // A new engine (another process, days later) answers from the events alone.
        let answered = try await engine.respond(runID: waiting.runID, response: ["decision": "approve"], respondent: "ann")
        #expect(answered.status == .running)
        let done = try await engine.drive(runID: waiting.runID)
        #expect(done.status == .completed)
        #expect(done.step("publish").output?["value"] == ["decision": "approve"])
        #expect(log.all.filter { $0.contains("/approve/") } == ["\(waiting.runID)/approve/1", "\(waiting.runID)/approve/1"])
        await #expect(throws: EngineError.self) { try await engine.respond(runID: waiting.runID, response: "again", respondent: "bob") }
    }

    @Test(arguments: StoreBackend.allCases) func anOverdueAnswerAppliesTheStepsFallback(_ backend: StoreBackend) async throws {
        let store = try await backend.open()
        // A clock the test moves: "a minute later" without waiting a minute.
        let clock = ManualClock()
        var engine = WorkflowEngine(store: store, registry: Fixtures.engineRegistry(log: log), clock: clock)
        engine.pollInterval = .milliseconds(20)
        for (timeout, expected) in [(60, RunStatus.completed), (0, RunStatus.failed)] {
            let yaml = Self.review.replacingOccurrences(of: "inputs: { value: null }", with: "inputs: { value: \(timeout) }")
            let definition = try load(yaml)
            let waiting = try await engine.run(definition, inputs: [:])
            #expect(waiting.status == .waiting)
            if timeout > 0 {
                await #expect(throws: EngineError.self) { try await engine.resume(runID: waiting.runID) }   // not overdue yet
            }
            // A second past the deadline (the test's clock stands still, and a stored deadline may
            // come back from its store a few nanoseconds off).
            clock.advance(by: .seconds(timeout + 1))
            _ = try await engine.resume(runID: waiting.runID)
            let ended = try await engine.drive(runID: waiting.runID)
            #expect(ended.status == expected)
            if expected == .completed {
                #expect(ended.step("approve").human?.respondent == "timeout")
                #expect(ended.step("publish").output?["value"] == ["timed_out": true])
            } else {
                #expect(ended.failureReason?.contains("nobody answered step 'approve'") == true)
            }
        }
    }

    @Test(arguments: StoreBackend.allCases) func aStepThatRequiresApprovalWaitsBetweenChoosingAndRunning(_ backend: StoreBackend) async throws {
        let store = try await backend.open()
        let engine = self.engine(store)
        let yaml = """
            workflow: gated
            steps:
              - name: prepare
                tool: echo
                inputs: { value: "draft" }
              - name: send
                tool: echo
                requires_approval: true
                depends_on: [prepare]
                inputs: { value: "{{ prepare.value }}" }
              - name: after
                tool: echo
                depends_on: [send]
                inputs: { value: "done" }
            """
        let definition = try load(yaml)
        #expect(definition.step(named: "send")?.requiresApproval == true)
        for decision in ["approve", "reject"] {
            let waiting = try await engine.run(definition, inputs: [:])
            #expect(waiting.status == .waiting)
            let request = try #require(waiting.step("send").human?.request)
            #expect(request["kind"] == "approval" && request["inputs"]?["value"] == "draft")   // what it would run with
            #expect(!log.all.contains("\(waiting.runID)/send/1"))                              // and it has not run
            _ = try await engine.respond(runID: waiting.runID, response: ["decision": .string(decision)], respondent: "bob")
            let ended = try await engine.drive(runID: waiting.runID)
            #expect(ended.status == .completed)
            if decision == "approve" {
                #expect(ended.step("send").status == .succeeded && ended.step("after").status == .succeeded)
            } else {
                #expect(ended.step("send").skipReason == "not approved by bob")
                #expect(ended.step("after").status == .skipped)
            }
        }
    }

    @Test(arguments: StoreBackend.allCases) func lowDataQualitySkipsTheAnalysisAndSaysWhy(_ backend: StoreBackend) async throws {
        let store = try await backend.open()
        let registry = Fixtures.seedRegistry(completeness: 0.4)
        let definition = try load(try Fixtures.source("current_tier.yaml"), registry: registry)
        let state = try await WorkflowEngine(store: store, registry: registry)
            .run(definition, inputs: try definition.bindInputs(["organization_ein": "541230284"]))
        #expect(state.status == .completed)
        #expect(state.step("calculate_financial_metrics").skipReason == "condition is false: data_quality.completeness_score (0.4) > 0.6")
        #expect(state.step("generate_report").status == .skipped)
        #expect(state.gates["data_sufficiency"]?.outcome == .failed)
        #expect(state.gates["analysis_confidence"]?.outcome == .notEvaluated)
    }

    @Test(arguments: StoreBackend.allCases) func independentStepsRunConcurrentlyUpToTheLimit(_ backend: StoreBackend) async throws {
        let store = try await backend.open()
        final class Gauge: Sendable {
            let counts = Mutex((now: 0, peak: 0))
            func enter() { counts.withLock { $0.now += 1; $0.peak = max($0.peak, $0.now) } }
            func leave() { counts.withLock { $0.now -= 1 } }
        }
        let gauge = Gauge()
        var registry = Fixtures.engineRegistry(log: log)
        registry.register(ClosureTool<AnyInput, AnyOutput>("measured") { input, _ in
            gauge.enter()
            defer { gauge.leave() }
            try await Task.sleep(for: .milliseconds(200))
            return AnyOutput(value: input.value)
        })
        let definition = try load("""
            workflow: w
            parallel: 3
            steps:
              - { name: a, tool: measured, inputs: { value: 1 } }
              - { name: b, tool: measured, inputs: { value: 2 } }
              - { name: c, tool: measured, inputs: { value: 3 } }
              - { name: d, tool: measured, inputs: { value: 4 } }
              - { name: join, tool: echo, depends_on: [a, b, c, d], inputs: { value: ["{{ a.value }}", "{{ d.value }}"] } }
            """, registry: registry)
        let state = try await WorkflowEngine(store: store, registry: registry).run(definition, inputs: [:])
        #expect(state.status == .completed)
        #expect(state.step("join").output == ["value": [1, 4]])
        #expect(gauge.counts.withLock { $0.peak } == 3)  // side by side, but never more than `parallel`
    }

    @Test(arguments: StoreBackend.allCases) func retriesThenSucceedsWithOneExecutionPerAttempt(_ backend: StoreBackend) async throws {
        let store = try await backend.open()
        let engine = self.engine(store)
        let definition = try load("""
            workflow: w
            steps:
              - { name: a, tool: flaky, inputs: { n: 2 }, retry: { max_attempts: 3, backoff: constant, delay_s: 0.01 } }
            """)
        let state = try await engine.run(definition, inputs: [:], runID: "r1")
        #expect(state.status == .completed)
        #expect(state.step("a").output == ["value": 3])
        #expect(log.all == ["r1/a/1", "r1/a/2", "r1/a/3"])
        #expect(state.step("a").errors.map(\.attempt) == [1, 2])
    }

    @Test(.timeLimit(.minutes(3)), arguments: StoreBackend.allCases) func aRetryWaitsItsDelayOnTheEnginesClock(_ backend: StoreBackend) async throws {
        let store = try await backend.open()
        let clock = ManualClock()
        let engine = WorkflowEngine(store: store, registry: Fixtures.engineRegistry(log: log), clock: clock, ids: SequentialRunIDs(prefix: "r"))
        let definition = try load("""
            workflow: w
            steps:
              - { name: a, tool: flaky, inputs: { n: 1 }, retry: { max_attempts: 2, backoff: constant, delay_s: 3600 } }
            """)
        let running = Task { try await engine.run(definition, inputs: [:]) }  // the engine's first run id: r1
        // After the first attempt fails, the driver waits an hour of the test's clock for the retry,
        // looking every `pollInterval` of it: moved on until the second attempt runs.
        while log.all.count < 2 {
            clock.advance(by: .seconds(250))
            try await Task.sleep(for: .milliseconds(5))
        }
        let state = try await running.value
        #expect(state.status == .completed)
        #expect(log.all == ["r1/a/1", "r1/a/2"])
        let events = try await store.events(runID: "r1", after: 0)
        let started = events.filter { if case .stepStarted = $0.kind { true } else { false } }.map(\.timestamp)
        #expect(started.count == 2)
        #expect(started[1].timeIntervalSince(started[0]) >= 3600)
    }

    @Test(arguments: StoreBackend.allCases) func aTimeoutIsARetryableFailure(_ backend: StoreBackend) async throws {
        let store = try await backend.open()
        let engine = self.engine(store)
        let definition = try load("""
            workflow: w
            steps:
              - { name: a, tool: sleep, inputs: { seconds: 5 }, timeout_s: 0.05, retry: { max_attempts: 2, delay_s: 0 } }
            """)
        let state = try await engine.run(definition, inputs: [:])
        #expect(state.status == .failed)
        #expect(state.step("a").errors.map(\.type) == ["Timeout", "Timeout"])
        #expect(state.failureReason == "step 'a' failed after 2 attempts: Timeout: the attempt took longer than 0.05 s")
        #expect(state.step("a").errors.last?.inputs == ["seconds": 5])
        #expect(state.step("a").errors.last?.strategiesTried == [])
        #expect(state.step("a").strategiesTried == ["retry 2/2 of sleep after 0 ms"])
    }

    @Test(arguments: StoreBackend.allCases) func aMissingOutputPathFailsTheStepNamingWhatExists(_ backend: StoreBackend) async throws {
        let store = try await backend.open()
        struct Out: Codable, Sendable { var value: Value }
        var registry = Fixtures.engineRegistry(log: log)
        registry.register(ClosureTool<AnyInput, Out>("shape") { _, _ in Out(value: ["a": 1]) })
        let definition = try load("""
            workflow: w
            steps:
              - { name: s, tool: shape, inputs: { value: 1 }, outputs: { deep: value.b } }
            """, registry: registry)
        let state = try await WorkflowEngine(store: store, registry: registry).run(definition, inputs: [:])
        #expect(state.status == .failed)
        #expect(state.step("s").errors.first?.type == "MissingOutput")
        #expect(state.step("s").errors.first?.message == "output 'deep' names 'value.b', which the tool did not return (it returned: value)")
    }

    @Test(arguments: StoreBackend.allCases) func pauseStopsNewStepsAndResumeFinishesTheRun(_ backend: StoreBackend) async throws {
        let store = try await backend.open()
        // Step a holds until the pause is recorded: no timing can let b start first.
        let gate = Mutex(false)
        var registry = Fixtures.engineRegistry(log: log)
        registry.register(ClosureTool<AnyInput, AnyOutput>("gated") { [log] input, context in
            log.record(context.idempotencyKey)
            while !gate.withLock({ $0 }) { try await Task.sleep(for: .milliseconds(5)) }
            return AnyOutput(value: input.value)
        })
        let definition = try load("""
            workflow: w
            steps:
              - { name: a, tool: gated, inputs: { value: 0 } }
              - { name: b, tool: echo, depends_on: [a], inputs: { value: 1 } }
            """, registry: registry)
        let engine = {
            var engine = WorkflowEngine(store: store, registry: registry)
            engine.pollInterval = .milliseconds(20)
            return engine
        }()
        let runID = "paused-run"
        async let driven = engine.run(definition, inputs: [:], runID: runID)
        while (try? await store.state(of: runID))?.step("a").status != .running { try await Task.sleep(for: .milliseconds(5)) }
        _ = try await engine.pause(runID: runID, reason: "lunch")
        gate.withLock { $0 = true }
        let paused = try await driven
        #expect(paused.status == .paused)
        #expect(paused.step("a").status == .succeeded)  // the in-flight step finished and was recorded
        #expect(paused.step("b").status == .pending)
        await #expect(throws: EngineError.self) { try await engine.pause(runID: runID) }
        _ = try await engine.resume(runID: runID)
        let finished = try await engine.drive(runID: runID)
        #expect(finished.status == .completed)
        #expect(log.count(step: "a") == 1)
        #expect(log.count(step: "b") == 1)
    }

    // The step sleeps far longer than any loaded machine takes to cancel it (a 30 s sleep could end on
    // its own while a busy CI machine starved the test), and the time limit, roomy because a loaded
    // machine ran these cases for two minutes, turns "never interrupted" into a failure, not a hang.
    @Test(.timeLimit(.minutes(5)), arguments: StoreBackend.allCases) func cancelStopsInFlightSteps(_ backend: StoreBackend) async throws {
        let store = try await backend.open()
        final class Flag: Sendable {
            let value = Mutex(false)
        }
        let started = Flag(), sawCancellation = Flag()
        var registry = Fixtures.engineRegistry(log: log)
        registry.register(ClosureTool<AnyInput, AnyOutput>("long") { input, _ in
            started.value.withLock { $0 = true }
            do {
                try await Task.sleep(for: .seconds(600))
            } catch is CancellationError {
                sawCancellation.value.withLock { $0 = true }
                throw CancellationError()
            }
            return AnyOutput(value: input.value)
        })
        let definition = try load("workflow: w\nsteps:\n  - { name: a, tool: long, inputs: { value: 1 } }\n", registry: registry)
        let engine: WorkflowEngine = {
            var engine = WorkflowEngine(store: store, registry: registry)
            engine.pollInterval = .milliseconds(20)
            return engine
        }()
        async let driven = engine.run(definition, inputs: [:], runID: "c1")
        // Cancel once the tool is executing (the step is recorded as running a moment before; on a
        // loaded machine a cancel in that moment stops the step before its tool ever starts).
        while !started.value.withLock({ $0 }) { try await Task.sleep(for: .milliseconds(10)) }
        _ = try await engine.cancel(runID: "c1", reason: "no longer needed")
        let state = try await driven
        #expect(state.status == .cancelled)
        #expect(state.failureReason == "no longer needed")
        #expect(sawCancellation.value.withLock { $0 })  // the 600 s step was interrupted, not waited for
        #expect(state.step("a").status == .running)      // and no result was recorded after the cancel
    }

    @Test(arguments: StoreBackend.allCases) func resumingAfterACrashSkipsCompletedStepsAndReusesTheAttempt(_ backend: StoreBackend) async throws {
        let store = try await backend.open()
        let engine = self.engine(store)
        let definition = try load("""
            workflow: w
            steps:
              - { name: a, tool: echo, inputs: { value: 1 } }
              - { name: b, tool: echo, depends_on: [a], inputs: { value: "{{ a.value }}" } }
              - { name: c, tool: echo, depends_on: [b], inputs: { value: 3 } }
            """)
        // What a process leaves behind when it is killed while step b runs.
        _ = try await store.append(runID: "crashed", expectedVersion: 0, events: [
            .runStarted(workflow: "w", file: "w.yaml", source: definition.source, inputs: [:]),
            .stepStarted(step: "a", attempt: 1, tool: "echo", inputs: ["value": 1], resumed: false),
            .stepSucceeded(step: "a", attempt: 1, output: ["value": 1], recovery: nil),
            .stepStarted(step: "b", attempt: 1, tool: "echo", inputs: ["value": 1], resumed: false),
        ], timestamp: Date())
        let state = try await engine.drive(runID: "crashed")
        #expect(state.status == .completed)
        #expect(log.all == ["crashed/b/1", "crashed/c/1"])
        let events = try await store.events(runID: "crashed", after: 4)
        #expect(events.first?.kind == .stepStarted(step: "b", attempt: 1, tool: "echo", inputs: ["value": 1], resumed: true))
    }

    @Test(arguments: StoreBackend.allCases) func aConflictingWriterIsDetectedAndNothingIsRecordedTwice(_ backend: StoreBackend) async throws {
        let store = try await backend.open()
        _ = try await store.append(runID: "x", expectedVersion: 0, events: [.runStarted(workflow: "w", file: "", source: "", inputs: [:])], timestamp: Date())
        await #expect(throws: RunStoreError.conflict(runID: "x", expected: 0, actual: 1)) {
            try await store.append(runID: "x", expectedVersion: 0, events: [.runCompleted], timestamp: Date())
        }
        await #expect(throws: RunStoreError.notFound("y")) {
            try await store.append(runID: "y", expectedVersion: 3, events: [.runCompleted], timestamp: Date())
        }
    }
}
