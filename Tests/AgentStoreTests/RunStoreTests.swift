import AgentCore
import AgentTools
import Foundation
import Testing
import TestSupport
@testable import AgentStore

/// The run store's contract, on both stores: the embedded SQLite file and a real PostgreSQL server.
@Suite("Run stores")
struct RunStoreTests {
    typealias Backend = TestBackend

    let directory: String

    init() throws {
        directory = NSTemporaryDirectory() + "catalynx-store-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    var path: String { directory + "/catalynx.sqlite" }

    /// A new, empty store of the kind, and how to open it again (another process's view).
    func fresh(_ backend: Backend, durability: SQLiteRunStore.Durability = .normal) async throws -> (store: any RunStore, reopen: () async throws -> any RunStore) {
        switch backend {
        case .sqlite:
            let path = self.path
            return (try SQLiteRunStore(path: path, durability: durability), { try SQLiteRunStore(path: path) })
        case .postgres:
            let url = try await TestPostgres.freshDatabase()
            let open = { () async throws -> any RunStore in try await RunStoreLocation.postgres(url: url).open() }
            return (try await open(), open)
        }
    }
    let t0 = Date(timeIntervalSince1970: 1_700_000_000.25)

    func started(_ workflow: String = "w") -> EventKind { .runStarted(workflow: workflow, file: "w.yaml", source: "workflow: w", inputs: ["ein": "541230284"]) }

    @Test(arguments: Backend.allCases) func eventsRoundTripAndSurviveReopening(_ backend: Backend) async throws {
        let (store, reopen) = try await fresh(backend)
        do {
            let stored = try await store.append(runID: "r1", expectedVersion: 0, events: [
                started(), .stepStarted(step: "a", attempt: 1, tool: "echo", inputs: ["value": [1, nil, "x"]], resumed: false),
            ], timestamp: t0)
            #expect(stored.map(\.sequence) == [1, 2])
            _ = try await store.append(runID: "r1", expectedVersion: 2, events: [
                .stepSucceeded(step: "a", attempt: 1, output: ["value": 1.5], recovery: nil), .runCompleted,
            ], timestamp: t0)
        }
        let reopened = try await reopen()
        let events = try await reopened.events(runID: "r1", after: 0)
        #expect(events.map(\.kind.typeName) == ["RunStarted", "StepStarted", "StepSucceeded", "RunCompleted"])
        #expect(events[1].kind == .stepStarted(step: "a", attempt: 1, tool: "echo", inputs: ["value": [1, nil, "x"]], resumed: false))
        #expect(events[0].timestamp == t0)
        #expect(try await reopened.events(runID: "r1", after: 2).map(\.sequence) == [3, 4])
        let state = try await reopened.state(of: "r1")
        #expect(state.status == .completed)
        #expect(state.step("a").output == ["value": 1.5])
    }

    @Test(arguments: Backend.allCases) func staleWritersGetAConflictAndWriteNothing(_ backend: Backend) async throws {
        let store = try await fresh(backend).store
        _ = try await store.append(runID: "r", expectedVersion: 0, events: [started()], timestamp: t0)
        await #expect(throws: RunStoreError.conflict(runID: "r", expected: 0, actual: 1)) {
            try await store.append(runID: "r", expectedVersion: 0, events: [started()], timestamp: t0)
        }
        await #expect(throws: RunStoreError.notFound("nope")) {
            try await store.append(runID: "nope", expectedVersion: 1, events: [.runCompleted], timestamp: t0)
        }
        await #expect(throws: RunStoreError.self) {
            try await store.append(runID: "bad", expectedVersion: 0, events: [.runCompleted], timestamp: t0)  // must begin with RunStarted
        }
        #expect(try await store.events(runID: "r", after: 0).count == 1)
        #expect(try await store.events(runID: "bad", after: 0).isEmpty)
    }

    @Test(arguments: Backend.allCases) func concurrentAppendsAllLandWithGaplessSequences(_ backend: Backend) async throws {
        let store = try await fresh(backend).store
        let runs = 40, appends = 25
        try await withThrowingTaskGroup(of: Void.self) { group in
            for run in 0..<runs {
                group.addTask {
                    var version = 0
                    for index in 0..<appends {
                        let kind: EventKind = index == 0 ? started() : .stepSucceeded(step: "s\(index)", attempt: 1, output: .int(index), recovery: nil)
                        version = try await store.append(runID: "run-\(run)", expectedVersion: version, events: [kind], timestamp: t0).last!.sequence
                    }
                }
            }
            try await group.waitForAll()
        }
        for run in 0..<runs {
            #expect(try await store.events(runID: "run-\(run)", after: 0).map(\.sequence) == Array(1...appends))
        }
        #expect(try await store.runs(RunQuery(limit: 1000)).count == runs)
    }

    @Test(arguments: Backend.allCases) func theRunsIndexFollowsStatusAndFilters(_ backend: Backend) async throws {
        let store = try await fresh(backend).store
        _ = try await store.append(runID: "run_a", expectedVersion: 0, events: [started("alpha"), .runCompleted], timestamp: t0)
        _ = try await store.append(runID: "run_b", expectedVersion: 0, events: [started("beta")], timestamp: t0)
        _ = try await store.append(runID: "run_b", expectedVersion: 1, events: [.runPaused(reason: "x")], timestamp: t0.addingTimeInterval(5))
        _ = try await store.append(runID: "run_c", expectedVersion: 0, events: [started("beta"), .runFailed(reason: "x"), .runResumed], timestamp: t0)
        let all = try await store.runs(RunQuery())
        #expect(all.map(\.id) == ["run_c", "run_b", "run_a"])
        #expect(all.map(\.status) == [.failed, .paused, .completed])  // nothing leaves a terminal status
        #expect(all[1].updatedAt == t0.addingTimeInterval(5))
        #expect(try await store.runs(RunQuery(status: .paused)).map(\.id) == ["run_b"])
        #expect(try await store.runs(RunQuery(workflow: "beta", limit: 1)).map(\.id) == ["run_c"])
        #expect(try await store.resolveRunID("run_a") == "run_a")
        await #expect(throws: RunStoreError.ambiguous("run_", matches: ["run_a", "run_b", "run_c"])) { try await store.resolveRunID("run_") }
        await #expect(throws: RunStoreError.notFound("zzz")) { try await store.resolveRunID("zzz") }
    }

    @Test(arguments: Backend.allCases) func theEngineRunsDurably(_ backend: Backend) async throws {
        let (store, reopen) = try await fresh(backend, durability: .full)
        var registry = ToolRegistry()
        BuiltinTools.register(in: &registry, home: directory, environment: [:])
        let definition = try WorkflowLoader.load(source: """
            workflow: w
            steps:
              - { name: a, tool: fail_n_times, inputs: { n: 1, key: k }, retry: { max_attempts: 2, delay_s: 0 } }
              - { name: b, tool: echo, depends_on: [a], inputs: { value: "{{ a.attempts }}" } }
            """, file: "w.yaml", registry: registry)
        let state = try await WorkflowEngine(store: store, registry: registry).run(definition, inputs: [:], runID: "durable")
        #expect(state.status == .completed)
        let reloaded = try await reopen().state(of: "durable")
        #expect(reloaded.step("b").output == ["value": 2])
        #expect(reloaded.version == state.version)
        #expect(try await store.runs(RunQuery()).first?.status == .completed)
    }

    @Test func locationsComeFromTheEnvironment() throws {
        #expect(try RunStoreLocation.from(environment: ["CATALYNX_HOME": "/data/cx"]) == .sqlite(path: "/data/cx/catalynx.sqlite"))
        #expect(try RunStoreLocation.from(environment: ["HOME": "/home/u"]) == .sqlite(path: "/home/u/.catalynx/catalynx.sqlite"))
        #expect(try RunStoreLocation.from(environment: ["CATALYNX_DATABASE_URL": "sqlite:///tmp/x.db"]) == .sqlite(path: "/tmp/x.db"))
        #expect(try RunStoreLocation.from(environment: ["CATALYNX_DATABASE_URL": "/tmp/y.db"]) == .sqlite(path: "/tmp/y.db"))
        #expect(throws: ConfigurationError.self) { try RunStoreLocation.from(environment: ["CATALYNX_DATABASE_URL": "mysql://h/db"]) }
        #expect(try RunStoreLocation.from(environment: ["CATALYNX_DATABASE_URL": "postgres://cx:secret@db:5432/catalynx"]) == .postgres(url: "postgres://cx:secret@db:5432/catalynx"))
        #expect(RunStoreLocation.postgres(url: "postgres://cx:secret@db:5432/catalynx").description == "postgres://cx:***@db:5432/catalynx")
    }
}

extension RunStoreTests {
    @Test(arguments: Backend.allCases) func pruneDeletesRunsThatEndedBeforeTheCutoffAndCanKeepFailedOnes(_ backend: Backend) async throws {
        let store = try await fresh(backend).store
        let old = t0, recent = t0.addingTimeInterval(40 * 86_400)
        _ = try await store.append(runID: "run_done", expectedVersion: 0, events: [started(), .runCompleted], timestamp: old)
        _ = try await store.append(runID: "run_failed", expectedVersion: 0, events: [started(), .runFailed(reason: "x")], timestamp: old)
        _ = try await store.append(runID: "run_live", expectedVersion: 0, events: [started()], timestamp: old)
        _ = try await store.append(runID: "run_new", expectedVersion: 0, events: [started(), .runCompleted], timestamp: recent)
        let cutoff = t0.addingTimeInterval(30 * 86_400)
        #expect(try await store.prune(endedBefore: cutoff, keepFailed: true) == 1)
        #expect(try await store.runs(RunQuery()).map(\.id).sorted() == ["run_failed", "run_live", "run_new"])
        #expect(try await store.prune(endedBefore: cutoff, keepFailed: false) == 1)
        #expect(try await store.runs(RunQuery()).map(\.id).sorted() == ["run_live", "run_new"])
        #expect(try await store.events(runID: "run_done", after: 0).isEmpty)
        #expect(try await store.events(runID: "run_live", after: 0).count == 1)
    }
}
