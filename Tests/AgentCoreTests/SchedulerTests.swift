import Foundation
import Testing
@testable import AgentCore

/// `apply` and `decide`, pure: events in, commands out, no I/O.
@Suite("Reducer and scheduler")
struct SchedulerTests {
    let t0 = Date(timeIntervalSince1970: 1_000_000)

    func load(_ yaml: String) throws -> WorkflowDefinition {
        try WorkflowLoader.load(source: yaml, file: "w.yaml", registry: Fixtures.engineRegistry(log: ExecutionLog()))
    }

    func state(_ kinds: [EventKind]) -> RunState {
        RunState(runID: "r", events: kinds.enumerated().map { RunEvent(runID: "r", sequence: $0.offset + 1, timestamp: t0, kind: $0.element) })
    }

    let started = EventKind.runStarted(workflow: "w", file: "w.yaml", source: "", inputs: ["x": 5])

    var diamond: String {
        """
        workflow: w
        parallel: 2
        inputs:
          - { name: x, type: int }
        steps:
          - { name: a, tool: echo, inputs: { value: "{{ x }}" }, outputs: { ax: value } }
          - { name: b, tool: echo, depends_on: [a], inputs: { value: "{{ ax }}" } }
          - { name: c, tool: echo, depends_on: [a], condition: "{{ ax }} > 10", inputs: { value: 2 } }
          - { name: d, tool: echo, depends_on: [b, c], inputs: { value: 3 } }
          - { name: e, tool: echo, depends_on: [a], inputs: { value: 4 } }
          - { name: f, tool: echo, depends_on: [a], inputs: { value: 5 } }
        quality_gates:
          - { gate: big, condition: "{{ ax }} > 1", failure_action: warn }
          - { gate: never, condition: "{{ d.value }} > 1", failure_action: fail_run }
        """
    }

    @Test func firstDecisionExecutesTheRootsWithResolvedInputs() throws {
        let commands = Scheduler.decide(try load(diamond), state([started]), now: t0, inFlight: [])
        #expect(commands == [.execute(StepExecution(step: "a", attempt: 1, tool: "echo", inputs: ["value": 5], resumed: false))])
    }

    @Test func readyStepsRunTogetherUpToTheParallelLimitAndSkipsCascade() throws {
        let definition = try load(diamond)
        let s = state([started, .stepStarted(step: "a", attempt: 1, tool: "echo", inputs: [:], resumed: false),
                       .stepSucceeded(step: "a", attempt: 1, output: ["value": 5], recovery: nil)])
        let commands = Scheduler.decide(definition, s, now: t0, inFlight: [])
        #expect(commands == [
            .record(.gateEvaluated(gate: "big", outcome: .passed, action: "warn", detail: "ax (5) > 1")),
            .execute(StepExecution(step: "b", attempt: 1, tool: "echo", inputs: ["value": 5], resumed: false)),
            .record(.stepSkipped(step: "c", reason: "condition is false: ax (5) > 10")),
            .execute(StepExecution(step: "e", attempt: 1, tool: "echo", inputs: ["value": 4], resumed: false)),
        ])
        // Once c is skipped, d (which needs c) is skipped with the chain of reasons.
        let after = state([started, .stepSucceeded(step: "a", attempt: 1, output: ["value": 5], recovery: nil),
                           .stepSkipped(step: "c", reason: "condition is false: ax (5) > 10")])
        let next = Scheduler.decide(definition, after, now: t0, inFlight: ["b", "e"])
        #expect(next.contains(.record(.stepSkipped(step: "d", reason: "depends on 'c', which did not complete: condition is false: ax (5) > 10"))))
        #expect(!next.contains { if case .execute(let e) = $0 { e.step == "f" } else { false } })  // two in flight = the limit
    }

    @Test func theRunCompletesWhenEveryStepIsFinishedAndUnreachedGatesAreRecorded() throws {
        let definition = try load(diamond)
        var kinds: [EventKind] = [started, .stepSucceeded(step: "a", attempt: 1, output: ["value": 5], recovery: nil),
                                  .gateEvaluated(gate: "big", outcome: .passed, action: "warn", detail: "")]
        for step in ["b", "e", "f"] { kinds.append(.stepSucceeded(step: step, attempt: 1, output: ["value": 1], recovery: nil)) }
        kinds += [.stepSkipped(step: "c", reason: "no"), .stepSkipped(step: "d", reason: "no")]
        #expect(Scheduler.decide(definition, state(kinds), now: t0, inFlight: []) == [
            .record(.gateEvaluated(gate: "never", outcome: .notEvaluated, action: "fail_run", detail: "not evaluated: no value for d.value")),
            .record(.runCompleted),
        ])
        #expect(Scheduler.decide(definition, state(kinds), now: t0, inFlight: ["x"]).isEmpty)
    }

    @Test func aFailingFailRunGateFailsTheRun() throws {
        let definition = try load("""
            workflow: w
            steps:
              - { name: a, tool: echo, inputs: { value: 0.2 }, outputs: { score: value } }
              - { name: b, tool: echo, depends_on: [a], inputs: { value: 1 } }
            quality_gates:
              - { gate: enough, condition: "{{ score }} > 0.6", failure_action: fail_run }
            """)
        let s = state([started, .stepSucceeded(step: "a", attempt: 1, output: ["value": 0.2], recovery: nil)])
        #expect(Scheduler.decide(definition, s, now: t0, inFlight: []) == [
            .record(.gateEvaluated(gate: "enough", outcome: .failed, action: "fail_run", detail: "score (0.2) > 0.6")),
            .record(.runFailed(reason: "quality gate 'enough' failed: score (0.2) > 0.6")),
        ])
    }

    var recovering: String {
        """
        workflow: w
        steps:
          - name: a
            tool: flaky
            inputs: { n: 9 }
            retry: { max_attempts: 3, backoff: exponential, delay_s: 1, multiplier: 2 }
            on_error: { alternatives: [backup], fallback: { value: none } }
        """
    }

    func failure(_ attempt: Int, tool: String = "flaky", retryable: Bool = true) -> EventKind {
        .stepFailed(step: "a", error: ErrorContext(type: "Flaky", message: "no", tool: tool, attempt: attempt, inputs: [:],
                                                    retryable: retryable, strategiesTried: []))
    }

    @Test func retriesBackOffExponentiallyThenTryTheAlternativeThenTheFallback() throws {
        let definition = try load(recovering)
        var kinds: [EventKind] = [started, .stepStarted(step: "a", attempt: 1, tool: "flaky", inputs: [:], resumed: false), failure(1)]
        #expect(Scheduler.decide(definition, state(kinds), now: t0, inFlight: []) == [
            .record(.stepRetryScheduled(step: "a", attempt: 2, tool: "flaky", notBefore: t0.addingTimeInterval(1), strategy: "retry 2/3 of flaky after 1.0 s")),
        ])
        kinds += [.stepRetryScheduled(step: "a", attempt: 2, tool: "flaky", notBefore: t0.addingTimeInterval(1), strategy: "r")]
        #expect(Scheduler.decide(definition, state(kinds), now: t0, inFlight: []) == [.wake(at: t0.addingTimeInterval(1))])
        #expect(Scheduler.decide(definition, state(kinds), now: t0.addingTimeInterval(1), inFlight: []) == [
            .execute(StepExecution(step: "a", attempt: 2, tool: "flaky", inputs: ["n": 9], resumed: false)),
        ])
        kinds += [.stepStarted(step: "a", attempt: 2, tool: "flaky", inputs: [:], resumed: false), failure(2)]
        guard case .record(.stepRetryScheduled(_, 3, "flaky", let notBefore, _))? = Scheduler.decide(definition, state(kinds), now: t0, inFlight: []).first else {
            Issue.record("expected a third attempt"); return
        }
        #expect(notBefore == t0.addingTimeInterval(2))
        kinds += [.stepRetryScheduled(step: "a", attempt: 3, tool: "flaky", notBefore: t0, strategy: "r"),
                  .stepStarted(step: "a", attempt: 3, tool: "flaky", inputs: [:], resumed: false), failure(3)]
        #expect(Scheduler.decide(definition, state(kinds), now: t0, inFlight: []) == [
            .record(.stepRetryScheduled(step: "a", attempt: 4, tool: "backup", notBefore: t0, strategy: "alternative tool backup")),
        ])
        kinds += [.stepRetryScheduled(step: "a", attempt: 4, tool: "backup", notBefore: t0, strategy: "alternative tool backup"),
                  .stepStarted(step: "a", attempt: 4, tool: "backup", inputs: [:], resumed: false), failure(4, tool: "backup", retryable: false)]
        #expect(state(kinds).step("a").attemptsOnTool == 1)
        #expect(Scheduler.decide(definition, state(kinds), now: t0, inFlight: []) == [
            .record(.stepSucceeded(step: "a", attempt: 4, output: ["value": "none"], recovery: "fallback data (Flaky: no)")),
        ])
    }

    @Test func aNonRetryableErrorWithNoRecoveryFailsTheRunWithContext() throws {
        let definition = try load("workflow: w\nsteps:\n  - { name: a, tool: flaky, inputs: { n: 1 }, retry: { max_attempts: 5 } }\n")
        let s = state([started, .stepStarted(step: "a", attempt: 1, tool: "flaky", inputs: [:], resumed: false), failure(1, retryable: false)])
        #expect(Scheduler.decide(definition, s, now: t0, inFlight: []) == [
            .record(.runFailed(reason: "step 'a' failed after 1 attempt: Flaky: no")),
        ])
        #expect(s.consecutiveFailures == 1)
    }

    @Test func anInterruptedAttemptRunsAgainWithTheSameAttemptNumber() throws {
        let definition = try load(diamond)
        let s = state([started, .stepStarted(step: "a", attempt: 1, tool: "echo", inputs: ["value": 5], resumed: false)])
        #expect(Scheduler.decide(definition, s, now: t0, inFlight: ["a"]).isEmpty)
        #expect(Scheduler.decide(definition, s, now: t0, inFlight: []) == [
            .execute(StepExecution(step: "a", attempt: 1, tool: "echo", inputs: ["value": 5], resumed: true)),
        ])
    }

    @Test func nothingIsDecidedForAPausedOrEndedRun() throws {
        let definition = try load(diamond)
        #expect(Scheduler.decide(definition, state([started, .runPaused(reason: "x")]), now: t0, inFlight: []).isEmpty)
        #expect(Scheduler.decide(definition, state([started, .runCancelled(reason: "x")]), now: t0, inFlight: []).isEmpty)
    }

    @Test func theReducerFoldsStatusesAndIgnoresDuplicates() {
        let s = state([
            started,
            .stepStarted(step: "a", attempt: 1, tool: "echo", inputs: [:], resumed: false),
            .stepFailed(step: "a", error: ErrorContext(type: "T", message: "m", tool: "echo", attempt: 1, inputs: [:], retryable: true, strategiesTried: [])),
            .stepRetryScheduled(step: "a", attempt: 2, tool: "echo", notBefore: t0, strategy: "retry 2/3"),
            .stepStarted(step: "a", attempt: 2, tool: "echo", inputs: [:], resumed: false),
            .stepSucceeded(step: "a", attempt: 2, output: 1, recovery: nil),
            .stepSucceeded(step: "a", attempt: 3, output: 2, recovery: nil),  // a duplicate result changes nothing
            .stepStarted(step: "a", attempt: 3, tool: "echo", inputs: [:], resumed: false),  // nor does a late start
            .runPaused(reason: "lunch"), .runResumed, .runCompleted, .runFailed(reason: "late"),
        ])
        #expect(s.status == .completed)
        #expect(s.version == 12)
        #expect(s.step("a").status == .succeeded)
        #expect(s.step("a").output == 1)
        #expect(s.step("a").attempt == 2)
        #expect(s.step("a").executions == 2)
        #expect(s.step("a").strategiesTried == ["retry 2/3"])
        #expect(s.consecutiveFailures == 0)
        #expect(s.pauseReason == nil)
    }

    @Test func consecutiveFailuresCountAcrossStepsUntilASuccess() {
        func fail(_ step: String) -> EventKind {
            .stepFailed(step: step, error: ErrorContext(type: "T", message: "m", tool: "t", attempt: 1, inputs: [:], retryable: true, strategiesTried: []))
        }
        #expect(state([started, fail("a"), fail("b"), fail("a")]).consecutiveFailures == 3)
        #expect(state([started, fail("a"), .stepSucceeded(step: "b", attempt: 1, output: 1, recovery: nil), fail("a")]).consecutiveFailures == 1)
    }

    @Test func eventsRoundTripThroughJSON() throws {
        let kinds: [EventKind] = [
            started, .stepStarted(step: "a", attempt: 1, tool: "t", inputs: ["k": [1, "x"]], resumed: true),
            .stepSucceeded(step: "a", attempt: 1, output: ["v": nil], recovery: "fallback"), failure(2),
            .stepRetryScheduled(step: "a", attempt: 2, tool: "t", notBefore: t0, strategy: "s"), .stepSkipped(step: "b", reason: "r"),
            .stepAbandoned(step: "c", reason: "r"), .gateEvaluated(gate: "g", outcome: .notEvaluated, action: "warn", detail: "d"),
            .runPaused(reason: "p"), .runResumed, .runCancelled(reason: "c"), .runCompleted, .runFailed(reason: "f"),
        ]
        for kind in kinds {
            let decoded = try Value(encoding: kind).decode(EventKind.self)
            #expect(decoded == kind)
        }
        #expect(try Value(encoding: EventKind.runCompleted) == ["type": "RunCompleted"])
    }
}
