import AgentCore
import AgentStore
import AgentTools
import Foundation

/// `catalynx-bench workers --url postgres://… --catalynx PATH [--runs N] [--workers K] [--concurrency C]`:
/// enqueues N six-step echo workflows in a fresh PostgreSQL database, starts K `catalynx worker`
/// processes, and measures steps/s from their start until every run has completed.
func measureWorkers() async throws {
    let url = option("url", "")
    let binary = option("catalynx", "")
    let runs = Int(option("runs", "2000")) ?? 2000
    let workers = Int(option("workers", "1")) ?? 1
    let concurrency = Int(option("concurrency", "8")) ?? 8
    let store = try await RunStoreLocation.postgres(url: url).open()
    var registry = ToolRegistry()
    BuiltinTools.register(in: &registry, home: NSTemporaryDirectory(), environment: [:])
    let source = "workflow: workers_bench\nsteps:\n" + steps.enumerated().map { index, name in
        "  - { name: \(name), tool: echo, inputs: { value: \"\(name)\" }\(index == 0 ? "" : ", depends_on: [\(steps[index - 1])]") }"
    }.joined(separator: "\n")
    let definition = try WorkflowLoader.load(source: source, file: "workers_bench.yaml", registry: registry)
    let engine = WorkflowEngine(store: store, registry: registry)
    for _ in 0..<runs { _ = try await engine.start(definition, inputs: [:]) }

    let home = NSTemporaryDirectory() + "catalynx-workers-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: home) }
    let clock = ContinuousClock()
    let start = clock.now
    let processes = try (0..<workers).map { _ in
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["worker", "--concurrency", String(concurrency)]
        process.environment = ProcessInfo.processInfo.environment.merging(["CATALYNX_DATABASE_URL": url, "CATALYNX_HOME": home]) { $1 }
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }
    while try await store.runs(RunQuery(status: .completed, limit: runs + 1)).count < runs {
        try await Task.sleep(for: .milliseconds(50))
    }
    let elapsed = clock.now - start
    for process in processes { kill(process.processIdentifier, SIGKILL) }
    let seconds = elapsed.seconds
    let result: Value = [
        "benchmark": "workers", "workers": .int(workers), "concurrency": .int(concurrency), "runs": .int(runs),
        "steps": .int(runs * steps.count), "seconds": .double(seconds), "steps_per_s": .double(Double(runs * steps.count) / seconds),
    ]
    print("result \(result.jsonString())")
}
