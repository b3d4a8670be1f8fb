import Foundation
import Synchronization
import Testing
import TestSupport
@testable import AgentCore

/// Concurrency keys and rate limits: the stores' slots and windows, and the engine honouring them.
@Suite("Concurrency keys and rate limits")
struct LimitTests {
    let log = ExecutionLog()
    let t0 = Date(timeIntervalSince1970: 1_800_000_000)

    @Test(arguments: StoreBackend.allCases) func slotsAreTakenUpToTheLimitRenewedReleasedAndFreedWhenTheyExpire(_ backend: StoreBackend) async throws {
        let (first, second) = try await backend.openTwice()
        let a = try #require(first.limitStore), b = try #require(second.limitStore)
        let later = t0.addingTimeInterval(60)
        #expect(try await a.acquireSlot(key: "org-1", limit: 2, holder: "run_a", expires: later, now: t0) == nil)
        #expect(try await b.acquireSlot(key: "org-1", limit: 2, holder: "run_b", expires: later, now: t0) == nil)
        #expect(try await b.acquireSlot(key: "org-1", limit: 2, holder: "run_c", expires: later, now: t0) == ["run_a", "run_b"])
        #expect(try await a.acquireSlot(key: "org-1", limit: 2, holder: "run_a", expires: later, now: t0) == nil)   // its own: renewed
        #expect(try await b.acquireSlot(key: "org-2", limit: 1, holder: "run_c", expires: later, now: t0) == nil)   // another key
        try await a.releaseSlot(key: "org-1", holder: "run_a")
        #expect(try await b.acquireSlot(key: "org-1", limit: 2, holder: "run_c", expires: later, now: t0) == nil)
        // run_b's process died: its slot is free once it has expired.
        #expect(try await a.acquireSlot(key: "org-1", limit: 2, holder: "run_d", expires: later, now: t0) == ["run_b", "run_c"])
        #expect(try await a.acquireSlot(key: "org-1", limit: 2, holder: "run_d", expires: later.addingTimeInterval(60), now: later.addingTimeInterval(1)) == nil)
    }

    @Test(arguments: StoreBackend.allCases) func aRateWindowCountsUpToItsLimitThenSaysWhenItEnds(_ backend: StoreBackend) async throws {
        let (first, second) = try await backend.openTwice()
        let a = try #require(first.limitStore), b = try #require(second.limitStore)
        let now = t0.addingTimeInterval(10.5)   // the minute's window began at t0 (1,800,000,000 is a multiple of 60)
        #expect(try await a.takeRate(key: "propublica", limit: 2, window: 60, now: now) == nil)
        #expect(try await b.takeRate(key: "propublica", limit: 2, window: 60, now: now) == nil)
        #expect(try await a.takeRate(key: "propublica", limit: 2, window: 60, now: now) == t0.addingTimeInterval(60))
        #expect(try await b.takeRate(key: "other", limit: 2, window: 60, now: now) == nil)
        #expect(try await b.takeRate(key: "propublica", limit: 2, window: 60, now: t0.addingTimeInterval(61)) == nil)   // the next window
    }

    static let keyed = """
        workflow: keyed
        inputs:
          - { name: who, type: string }
        steps:
          - name: first
            tool: echo
            inputs: { value: "{{ who }}" }
          - name: work
            tool: sleep
            depends_on: [first]
            concurrency: { key: "org-{{ who }}", limit: 1 }
            inputs: { seconds: 0.4 }
        """

    @Test(arguments: StoreBackend.allCases) func aStepsConcurrencyKeyHoldsTwoRunsApartAndSaysWhatTheSecondWaitsFor(_ backend: StoreBackend) async throws {
        let (first, second) = try await backend.openTwice()
        func engine(_ store: any RunStore) -> WorkflowEngine {
            var engine = WorkflowEngine(store: store, registry: Fixtures.engineRegistry(log: log))
            engine.pollInterval = .milliseconds(20)
            return engine
        }
        let definition = try WorkflowLoader.load(source: Self.keyed, file: "keyed.yaml", registry: Fixtures.engineRegistry(log: log))
        async let one = engine(first).run(definition, inputs: ["who": "54"])
        async let two = engine(second).run(definition, inputs: ["who": "54"])
        async let other = engine(second).run(definition, inputs: ["who": "13"])
        let runs = try await [one, two, other]
        #expect(runs.allSatisfy { $0.status == .completed })
        let same = runs.prefix(2).map { $0.step("work") }
        let intervals = same.compactMap { step in step.startedAt.flatMap { start in step.finishedAt.map { (start, $0) } } }.sorted { $0.0 < $1.0 }
        #expect(intervals.count == 2 && intervals[0].1 <= intervals[1].0, "the key held them apart: \(intervals)")
        // The one that waited said so, naming the run that held the key.
        var waits: [(run: String, reason: String)] = []
        for run in runs.prefix(2) {
            for event in try await first.events(runID: run.runID, after: 0) {
                if case .throttled("work", let reason) = event.kind { waits.append((run.runID, reason)) }
            }
        }
        #expect(waits.count == 1)
        let holder = try #require(runs.prefix(2).first { $0.runID != waits.first?.run })
        #expect(waits.first?.reason == "concurrency key 'org-54' is held by \(holder.runID)/work (limit 1)")
        #expect(try await first.limitStore?.acquireSlot(key: "org-54", limit: 1, holder: "probe", expires: Date().addingTimeInterval(60), now: Date()) == nil,
                "the slot was given back")
        // Another organization's run did not wait for them.
        #expect(try await first.events(runID: runs[2].runID, after: 0).allSatisfy { $0.kind.typeName != "Throttled" })
    }

    @Test(arguments: StoreBackend.allCases) func aWorkflowsConcurrencyKeyHoldsARunUntilTheOtherEnds(_ backend: StoreBackend) async throws {
        let store = try await backend.open()
        var configured = WorkflowEngine(store: store, registry: Fixtures.engineRegistry(log: log))
        configured.pollInterval = .milliseconds(20)
        let engine = configured
        let definition = try WorkflowLoader.load(source: """
            workflow: per_org
            concurrency: { key: "{{ who }}" }
            inputs:
              - { name: who, type: string }
            steps:
              - { name: work, tool: sleep, inputs: { seconds: 0.3 } }
            """, file: "per_org.yaml", registry: Fixtures.engineRegistry(log: log))
        async let one = engine.run(definition, inputs: ["who": "54"])
        async let two = engine.run(definition, inputs: ["who": "54"])
        let runs = try await [one, two]
        #expect(runs.allSatisfy { $0.status == .completed && $0.throttled == nil })   // cleared once each ran
        var waits: [(run: String, event: EventKind)] = []
        for run in runs {
            for event in try await store.events(runID: run.runID, after: 0) where event.kind.typeName == "Throttled" { waits.append((run.runID, event.kind)) }
        }
        let waiter = try #require(runs.first { $0.runID == waits.first?.run }), holder = try #require(runs.first { $0.runID != waits.first?.run })
        #expect(waits.count == 1 && waits.first?.event == .throttled(step: nil, reason: "concurrency key '54' is held by \(holder.runID) (limit 1)"))
        let started = try #require(waiter.step("work").startedAt), ended = try #require(holder.step("work").finishedAt)
        #expect(started >= ended)
        // Both gave the slot back.
        #expect(try await store.limitStore?.acquireSlot(key: "54", limit: 1, holder: "probe", expires: Date().addingTimeInterval(60), now: Date()) == nil)
    }

    @Test func aStepsRateLimitSpreadsItsExecutionsOverWindows() async throws {
        let store = MemoryRunStore()
        var engine = WorkflowEngine(store: store, registry: Fixtures.engineRegistry(log: log))
        engine.pollInterval = .milliseconds(20)
        let definition = try WorkflowLoader.load(source: """
            workflow: fetch
            steps:
              - name: fetch
                tool: echo
                rate_limit: { key: propublica, per_second: 2 }
                inputs: { value: 1 }
            """, file: "fetch.yaml", registry: Fixtures.engineRegistry(log: log))
        var runs: [RunState] = []
        for _ in 0..<3 { runs.append(try await engine.run(definition, inputs: [:])) }
        #expect(runs.allSatisfy { $0.status == .completed })
        let windows = Set(runs.compactMap { $0.step("fetch").startedAt.map { Int($0.timeIntervalSince1970) } })
        #expect(windows.count >= 2, "at most two in one second")
        let waited = try await store.events(runID: runs[2].runID, after: 0).filter { $0.kind.typeName == "Throttled" }
        #expect(waited.isEmpty || waited.first?.kind == .throttled(step: "fetch", reason: "rate limit 'propublica' of 2 per second is reached"))
    }

    @Test func limitsAreCheckedWhenTheWorkflowLoads() throws {
        func problems(_ yaml: String) -> String {
            do {
                _ = try WorkflowLoader.load(source: yaml, file: "w.yaml", registry: Fixtures.engineRegistry(log: log))
                return ""
            } catch {
                return "\(error)"
            }
        }
        let step = "workflow: w\ninputs:\n  - { name: who, type: string }\nsteps:\n  - name: s\n    tool: echo\n    inputs: { value: 1 }\n"
        #expect(problems(step + "    rate_limit: { key: k, per_second: 1, per_minute: 5 }").contains("exactly one of per_second and per_minute"))
        #expect(problems(step + "    rate_limit: { per_second: 1 }").contains("missing required key 'key'"))
        #expect(problems(step + "    concurrency: { key: k, limit: 0 }").contains("'limit' must be a whole number greater than 0"))
        #expect(problems(step + "    concurrency: { key: \"{{ nothing }}\" }").contains("nothing"))
        #expect(problems("concurrency: { key: \"{{ whom }}\" }\n" + step).contains("the workflow's concurrency key refers to 'whom', which is not one of its inputs"))
        #expect(problems(step + "    concurrency: { key: \"{{ who }}\", limit: 2 }") == "")
    }
}
