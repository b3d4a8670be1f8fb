import AgentCore
import AgentStore
import AgentTools
import Foundation
import Testing
import TestSupport

/// Three `catalynx worker` processes on one PostgreSQL database drive workflows with parallel
/// steps and retries while a random worker is SIGKILLed every couple of seconds and replaced:
/// every run completes, every step's result is recorded exactly once, and an effect repeats only
/// with the idempotency key of the attempt that was cut off.
@Suite("CLI: workers under chaos", .serialized)
struct WorkerChaosTests {
    static let workflow = """
        workflow: chaos
        inputs:
          - { name: n, type: string }
        steps:
          - { name: a, tool: append_line, inputs: { file: effects.log, text: "{{ n }}/a", hold_seconds: 0.05 } }
          - { name: b, tool: append_line, depends_on: [a], inputs: { file: effects.log, text: "{{ n }}/b", hold_seconds: 0.1 } }
          - name: c
            tool: fail_n_times
            depends_on: [a]
            inputs: { n: 1, key: "{{ n }}/c" }
            retry: { max_attempts: 3, delay_s: 0.05 }
          - { name: d, tool: append_line, depends_on: [b, c], inputs: { file: effects.log, text: "{{ n }}/d" } }
        """

    @Test func everyRunCompletesAndEveryStepIsRecordedOnceWhileWorkersAreKilled() async throws {
        let runs = Int(ProcessInfo.processInfo.environment["CATALYNX_CHAOS_RUNS"] ?? "") ?? 1000
        let url = try await TestPostgres.freshDatabase()
        var cli = try CLIHarness()
        cli.extraEnvironment["CATALYNX_DATABASE_URL"] = url
        let store = try await RunStoreLocation.postgres(url: url).open()
        var registry = ToolRegistry()
        BuiltinTools.register(in: &registry, home: cli.home, environment: [:])
        let definition = try WorkflowLoader.load(source: Self.workflow, file: "chaos.yaml", registry: registry)
        let engine = WorkflowEngine(store: store, registry: registry)
        var ids: [String] = []
        for index in 0..<runs { ids.append(try await engine.start(definition, inputs: try definition.bindInputs(["n": .string("r\(index)")]))) }

        func launchWorker() throws -> Process { try cli.launch(["worker", "--concurrency", "8", "--lease-seconds", "2"]).0 }
        var workers = try (0..<3).map { _ in try launchWorker() }
        var kills = 0
        let deadline = Date().addingTimeInterval(240)
        while Date() < deadline {
            try await Task.sleep(for: .milliseconds(1500))
            if try await store.runs(RunQuery(status: .completed, limit: runs + 1)).count == runs { break }
            let victim = Int.random(in: 0..<workers.count)
            kill(workers[victim].processIdentifier, SIGKILL)
            workers[victim].waitUntilExit()
            workers[victim] = try launchWorker()
            kills += 1
        }
        for worker in workers {
            worker.terminate()
            worker.waitUntilExit()
        }
        #expect(kills >= 2)
        #expect(try await store.runs(RunQuery(status: .completed, limit: runs + 1)).count == runs)

        // Each step succeeded exactly once in the record, and its effect repeats only under its own key.
        let effects = try String(contentsOfFile: cli.sandbox + "/effects.log", encoding: .utf8)
        var keysByEffect: [String: [String]] = [:]
        for line in effects.split(separator: "\n") {
            let parts = line.split(separator: "\t")
            if parts.count == 2 { keysByEffect[String(parts[0]), default: []].append(String(parts[1])) }
        }
        var repeats = 0
        for (index, id) in ids.enumerated() {
            let events = try await store.events(runID: id, after: 0)
            var succeeded: [String: Int] = [:]
            for event in events { if case .stepSucceeded(let step, _, _, _) = event.kind { succeeded[step, default: 0] += 1 } }
            #expect(succeeded == ["a": 1, "b": 1, "c": 1, "d": 1], "run \(id)")
            let state = RunState(runID: id, events: events)
            for step in ["a", "b", "d"] {
                let recorded = state.step(step).output?["idempotency_key"]?.stringValue
                let keys = keysByEffect["r\(index)/\(step)"] ?? []
                #expect(recorded != nil && Set(keys) == [recorded!], "run \(id) step \(step): \(keys)")
                repeats += keys.count - 1
            }
        }
        #expect(repeats <= kills * 8)
    }

    /// Workers share runs through PostgreSQL: on the embedded store they refuse at once and say what to set.
    @Test func workersOnTheEmbeddedStoreRefuseWithAHint() throws {
        let cli = try CLIHarness()
        for (arguments, subject) in [(["worker"], "workers share runs"), (["serve", "--port", "0", "--workers", "2"], "--workers shares runs")] {
            let result = try cli.run(arguments)
            #expect(result.status == 2 && result.stderr.contains("error: \(subject) through PostgreSQL")
                    && result.stderr.contains("hint: set CATALYNX_DATABASE_URL=postgres://"), "\(arguments): \(result.stderr)")
        }
    }

    /// A run started in the foreground (`catalynx run`, no `--detach`) while idle workers listen:
    /// the NOTIFY of the new run wakes them, yet only one process drives it.
    @Test func aForegroundRunIsNeverDrivenByAWorkerAtTheSameTime() async throws {
        let url = try await TestPostgres.freshDatabase()
        var cli = try CLIHarness()
        cli.extraEnvironment["CATALYNX_DATABASE_URL"] = url
        let file = try cli.write("slow.yaml", """
            workflow: slow
            steps:
              - { name: a, tool: sleep, inputs: { seconds: 0.4 } }
              - { name: b, tool: sleep, depends_on: [a], inputs: { seconds: 0.4 } }
              - { name: c, tool: echo, depends_on: [b], inputs: { value: done } }
            """)
        var fresh = cli
        fresh.extraEnvironment["CATALYNX_HOME"] = cli.home + "/worker-home-not-created-yet"  // as on a machine that only runs workers
        let launched = try (0..<2).map { _ in try fresh.launch(["worker", "--concurrency", "4"]) }
        let workers = launched.map(\.0)
        defer { for worker in workers where worker.isRunning { worker.terminate(); worker.waitUntilExit() } }
        try await Task.sleep(for: .seconds(2))  // the workers are up and idle, listening
        let store = try await RunStoreLocation.postgres(url: url).open()
        for _ in 0..<3 {
            let result = try cli.run("run", file, "--format", "json")
            #expect(result.status == 0, "\(result.stderr)")
            let id = try #require(result.json?["run_id"]?.stringValue, "\(result.stdout.prefix(300))")
            let started = try await store.events(runID: id, after: 0).compactMap { event -> String? in
                if case .stepStarted(let step, _, _, _, _) = event.kind { return step }
                return nil
            }
            #expect(started == ["a", "b", "c"], "each step started once, by one driver: \(started)")
            #expect(try await store.state(of: id).status == .completed)
        }
        // A detached run is driven by one of the workers, and `runs list` says which while it is.
        let slow = try cli.write("slower.yaml", """
            workflow: slower
            steps:
              - { name: a, tool: sleep, inputs: { seconds: 3 } }
            """)
        let detached = try cli.run("run", slow, "--detach")
        let id = detached.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(detached.status == 0 && id.hasPrefix("run_"), "\(detached.stderr)")
        func listed() throws -> Value? { try cli.run("runs", "list", "--format", "json").json?.arrayValue?.first { $0["id"]?.stringValue == id } }
        var driver: String?
        for _ in 0..<100 where driver == nil {
            driver = try listed()?["drivenBy"]?.stringValue
            if driver == nil { try await Task.sleep(for: .milliseconds(50)) }
        }
        let workerOwners = workers.map { "\(ProcessInfo.processInfo.hostName):\($0.processIdentifier):worker" }
        #expect(driver.map(workerOwners.contains) == true, "driven by \(driver ?? "nobody"), workers \(workerOwners)")
        for _ in 0..<200 {
            if try await store.state(of: id).status == .completed { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(try listed()?["drivenBy"] == nil, "a stopped run has no driver")
        for (worker, _, err) in launched where !worker.isRunning {
            Issue.record("a worker stopped (exit \(worker.terminationStatus)): \(String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self))")
        }
        // Each worker logs the runs it drove to a stop, and stops on SIGTERM.
        var logs = ""
        for (worker, _, err) in launched {
            worker.terminate()
            worker.waitUntilExit()
            #expect(worker.terminationStatus == 0)
            logs += String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        }
        #expect(logs.contains("run_id=\(id) status=completed workflow=slower") && logs.contains("run stopped"), "\(logs)")
    }
}
