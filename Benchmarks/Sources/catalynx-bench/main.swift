import AgentCore
import AgentSchema
import AgentStore
import Foundation
import GrantResearch
import Nonprofit

/// `catalynx-bench engine [--runs N] [--durability normal|full] [--concurrency C]`
///
/// Durable execution of a six-step linear workflow of no-op tools (the shape of the
/// current-tier workflow), on a fresh SQLite run store: every step is recorded durably before
/// the next one starts. Prints one `result` line of JSON per configuration.

struct NoOp: Tool {
    struct Input: Codable, Sendable { var value: Value }
    struct Output: Codable, Sendable { var ok: Bool; var step: String }
    let name = "noop"
    let description = "does nothing"
    let estimatedDuration = 0.0
    func execute(_ input: Input, context: ToolContext) async throws -> Output { Output(ok: true, step: context.stepName) }
}

let steps = ["validate_ein", "fetch_organization_data", "validate_data_quality", "calculate_financial_metrics", "assess_risk", "generate_report"]
let workflowSource = "workflow: engine_bench\ninputs:\n  - { name: ein, type: string }\nsteps:\n" + steps.enumerated().map { index, step in
    "  - name: \(step)\n    tool: noop\n" + (index > 0 ? "    depends_on: [\(steps[index - 1])]\n" : "") + "    inputs: { value: \"{{ ein }}\" }\n"
}.joined()

func option(_ name: String, _ fallback: String) -> String {
    let arguments = CommandLine.arguments
    guard let index = arguments.firstIndex(of: "--\(name)"), index + 1 < arguments.count else { return fallback }
    return arguments[index + 1]
}

func measureEngine() async throws {
    let runs = Int(option("runs", "2000")) ?? 2000
    let concurrency = Int(option("concurrency", "1")) ?? 1
    let storeKind = option("store", "sqlite")
    let durability = SQLiteRunStore.Durability(rawValue: option("durability", "normal")) ?? .normal
    let directory = NSTemporaryDirectory() + "catalynx-bench-\(UUID().uuidString)"
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let store: any RunStore = storeKind == "memory" ? MemoryRunStore() : try SQLiteRunStore(path: directory + "/runs.sqlite", durability: durability)
    var registry = ToolRegistry()
    registry.register(NoOp())
    let definition = try WorkflowLoader.load(source: workflowSource, file: "engine_bench.yaml", registry: registry)
    let engine = WorkflowEngine(store: store, registry: registry)
    let inputs: [String: Value] = ["ein": "530196605"]

    for _ in 0..<20 { _ = try await engine.run(definition, inputs: inputs) }  // warm-up
    let clock = ContinuousClock()
    let start = clock.now
    try await withThrowingTaskGroup(of: Void.self) { group in
        for worker in 0..<concurrency {
            group.addTask {
                for _ in stride(from: worker, to: runs, by: concurrency) {
                    let state = try await engine.run(definition, inputs: inputs)
                    guard state.status == .completed, state.steps.count == steps.count else {
                        throw ToolError("Bench", "run \(state.runID) ended \(state.status)")
                    }
                }
            }
        }
        try await group.waitForAll()
    }
    let elapsed = clock.now - start
    let seconds = elapsed.seconds
    let result: Value = [
        "benchmark": "engine", "store": .string(storeKind), "durability": .string(durability.rawValue),
        "concurrency": .int(concurrency), "runs": .int(runs), "steps": .int(runs * steps.count), "seconds": .double(seconds),
        "workflows_per_s": .double(Double(runs) / seconds), "steps_per_s": .double(Double(runs * steps.count) / seconds),
    ]
    print("result \(result.jsonString())")
}

/// Appends alone: two small events per transaction, one run at a time.
func measureStore() async throws {
    let appends = Int(option("appends", "5000")) ?? 5000
    let durability = SQLiteRunStore.Durability(rawValue: option("durability", "normal")) ?? .normal
    let directory = NSTemporaryDirectory() + "catalynx-bench-\(UUID().uuidString)"
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let store = try SQLiteRunStore(path: directory + "/runs.sqlite", durability: durability)
    _ = try await store.append(runID: "r", expectedVersion: 0, events: [.runStarted(workflow: "w", file: "", source: "", inputs: [:])], timestamp: Date())
    var version = 1
    let clock = ContinuousClock()
    let start = clock.now
    for index in 0..<appends {
        let events: [EventKind] = [.stepSucceeded(step: "s\(index)", attempt: 1, output: ["ok": true], recovery: nil),
                                   .stepStarted(step: "s\(index + 1)", attempt: 1, tool: "noop", inputs: ["value": "530196605"], resumed: false)]
        version = try await store.append(runID: "r", expectedVersion: version, events: events, timestamp: Date()).last!.sequence
    }
    let elapsed = clock.now - start
    let seconds = elapsed.seconds
    print("result {\"benchmark\":\"store\",\"appends_per_s\":\(Double(appends) / seconds)}")
}

/// `bmf-import --file F`: a full import into a fresh organization database, indexes and search index included.
func measureBMFImport() async throws {
    let file = option("file", "/tmp/eo_full.csv")
    let keep = option("keep", "")
    let directory = NSTemporaryDirectory() + "catalynx-bench-\(UUID().uuidString)"
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let path = keep.isEmpty ? directory + "/organizations.sqlite" : keep
    for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
    let database = try SQLiteOrganizationDatabase(path: path)
    let clock = ContinuousClock()
    let start = clock.now
    let summary = try await BMFImporter(database: database).importFiles([file])
    let seconds = (clock.now - start).seconds
    let result: Value = ["benchmark": "bmf-import", "rows": .int(summary.rows), "inserted": .int(summary.inserted),
                         "skipped": .int(summary.rejected.count), "seconds": .double(seconds), "index_seconds": .double(summary.indexSeconds), "rows_per_s": .double(Double(summary.rows) / seconds)]
    print("result \(result.jsonString())")
}

/// `ein-lookup --db PATH [--lookups N]`: random EIN look-ups in process, latency percentiles.
func measureEINLookup() throws {
    let path = option("db", "")
    let lookups = Int(option("lookups", "1000000")) ?? 1_000_000
    let database = try SQLiteOrganizationDatabase(path: path)
    let eins = try database.allEINs()
    guard !eins.isEmpty else { throw ToolError("Bench", "the database at \(path) is empty") }
    var generator = SystemRandomNumberGenerator()
    var samples = [Double]()
    samples.reserveCapacity(lookups)
    let clock = ContinuousClock()
    var found = 0
    for _ in 0..<lookups {
        let ein = eins[Int.random(in: 0..<eins.count, using: &generator)]
        let start = clock.now
        if try database.organizationSync(ein) != nil { found += 1 }
        samples.append((clock.now - start).seconds * 1e6)
    }
    func percentile(_ p: Double) -> Double { samples[min(samples.count - 1, Int(Double(samples.count) * p))] }
    let result: Value = ["benchmark": "ein-lookup", "organizations": .int(eins.count), "lookups": .int(lookups), "found": .int(found),
                         "p50_us": .double(percentile(0.50)), "p99_us": .double(percentile(0.99)), "max_us": .double(samples.last ?? 0)]
    print("result \(result.jsonString())")
}

/// A run store that keeps nothing: the engine without durability, the peer of `analyze`.
struct NoOpRunStore: RunStore {
    func append(runID: String, expectedVersion: Int, events: [EventKind], timestamps: [Date]) async throws -> [RunEvent] {
        events.enumerated().map { RunEvent(runID: runID, sequence: expectedVersion + $0.offset + 1, timestamp: timestamps[$0.offset], kind: $0.element) }
    }
    func events(runID: String, after: Int) async throws -> [RunEvent] { [] }
    func runs(_ query: RunQuery) async throws -> [RunSummary] { [] }
    func resolveRunID(_ idOrPrefix: String) async throws -> String { throw RunStoreError.notFound(idOrPrefix) }
    func prune(endedBefore cutoff: Date, keepFailed: Bool) async throws -> Int { 0 }
}

/// `catalynx-bench analyze --tier T --store sqlite|noop --root DIR [--db PATH | --postgres URL] [--eins FILE] [--limit N] [--concurrency C]`
///
/// The tier workflow for every organization of the embedded dataset (`DIR/data`, workflows from
/// `DIR/workflows`), or those of `--eins FILE`, C analyses at a time, on an organization database
/// loaded once (kept at `--db`, or on the PostgreSQL server of `--postgres URL`). Reports
/// analyses/s and each analysis' latency.
func measureAnalyze() async throws {
    let tier = option("tier", "current")
    let storeKind = option("store", "sqlite")
    let limit = Int(option("limit", "0")) ?? 0
    let concurrency = max(1, Int(option("concurrency", "1")) ?? 1)
    let root = option("root", FileManager.default.currentDirectoryPath)
    let directory = NSTemporaryDirectory() + "catalynx-bench-\(UUID().uuidString)"
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let postgres = option("postgres", "")
    let database: any OrganizationDatabase = postgres.isEmpty
        ? try SQLiteOrganizationDatabase(path: option("db", directory + "/organizations.sqlite"))
        : try await PostgresOrganizationDatabase(url: postgres)
    _ = try await EmbeddedDataset(directory: root + "/data").loadIfNeeded(into: database)
    let store: any RunStore = storeKind == "noop" ? NoOpRunStore() : try SQLiteRunStore(path: directory + "/runs.sqlite", durability: .normal)
    var registry = ToolRegistry()
    GrantResearchTools.register(in: &registry, source: OrganizationSource(database), exportsDirectory: directory + "/exports")
    let definition = try WorkflowLoader.load(path: root + "/workflows/\(tier)_tier.yaml", registry: registry)
    let engine = WorkflowEngine(store: store, registry: registry)
    // `--eins FILE`: the organizations to analyse, one EIN a line; else every one of an embedded SQLite database.
    let einsFile = option("eins", "")
    var eins: [EIN]
    if !einsFile.isEmpty {
        eins = try String(contentsOfFile: einsFile, encoding: .utf8).split(whereSeparator: \.isNewline).map { try EIN(String($0)) }
    } else if let sqlite = database as? SQLiteOrganizationDatabase {
        eins = try sqlite.allEINs().sorted()
    } else {
        throw ToolError("Bench", "--eins FILE is needed with --postgres")
    }
    if limit > 0 { eins = Array(eins.prefix(limit)) }
    let work = eins
    let clock = ContinuousClock()
    let start = clock.now
    let perWorker = try await withThrowingTaskGroup(of: ([(ms: Double, ein: EIN)], [String: Int]).self) { group in
        for worker in 0..<concurrency {
            group.addTask {
                var samples: [(ms: Double, ein: EIN)] = []
                var verdicts: [String: Int] = [:]
                for ein in stride(from: worker, to: work.count, by: concurrency).map({ work[$0] }) {
                    let began = clock.now
                    let inputs = try definition.bindInputs(["organization_ein": .string(ein.formatted)])
                    let state = try await engine.run(definition, inputs: inputs)
                    samples.append(((clock.now - began).seconds * 1000, ein))
                    verdicts[AnalysisOutcome(state: state, definition: definition).verdict.rawValue, default: 0] += 1
                }
                return (samples, verdicts)
            }
        }
        return try await group.reduce(into: [([(ms: Double, ein: EIN)], [String: Int])]()) { $0.append($1) }
    }
    let seconds = (clock.now - start).seconds
    let timed = perWorker.flatMap(\.0).sorted { $0.ms < $1.ms }
    let samples = timed.map(\.ms)
    let verdicts = perWorker.reduce(into: [String: Int]()) { total, part in total.merge(part.1, uniquingKeysWith: +) }
    func percentile(_ p: Double) -> Double { samples.isEmpty ? 0 : samples[min(samples.count - 1, Int(Double(samples.count) * p))] }
    let result: Value = [
        "benchmark": "analyze", "tier": .string(tier), "store": .string(storeKind), "analyses": .int(eins.count), "concurrency": .int(concurrency), "seconds": .double(seconds),
        "analyses_per_s": .double(Double(eins.count) / seconds), "p50_ms": .double(percentile(0.5)), "p99_ms": .double(percentile(0.99)),
        "max_ms": .double(samples.last ?? 0),
        "slowest": .array(timed.suffix(3).reversed().map { .string("\($0.ein.formatted) \(Int($0.ms)) ms") }), "verdicts": .object(verdicts.mapValues(Value.int)),
    ]
    print("result \(result.jsonString())")
}

/// `catalynx-bench sap-fuzz --inputs N --seed S`: N seeded random inputs through the
/// schema-aligned parser against several targets; exits 1 if any input takes a second or more.
func measureSAPFuzz() throws {
    let inputs = Int(option("inputs", "1000000")) ?? 1_000_000
    let seed = UInt64(option("seed", "1")) ?? 1
    let baml = "class Foo { a int\n b string[]\n c Foo? @check(x, {{ this|length > 0 }}) }\nenum E { X\n Y @alias(\"why\") }\ntype J = int | string | J[] | map<string, J>"
    let parser = SchemaAlignedParser(schema: try BAMLParser.parse(baml))
    let targets = try ["Foo", "E[]", "J", "int | string", "map<string, Foo>", "(Foo | E)[]", "float", "bool"].map(BAMLParser.parseType)
    var fuzzer = SAPFuzzer(seed: seed)
    let clock = ContinuousClock()
    var slowest = (seconds: 0.0, input: "")
    var parsed = 0
    let start = clock.now
    for index in 0..<inputs {
        let input = fuzzer.next()
        let began = clock.now
        if (try? parser.parse(input, as: targets[index % targets.count], partial: index % 3 == 0)) != nil { parsed += 1 }
        let seconds = (clock.now - began).seconds
        if seconds > slowest.seconds { slowest = (seconds, input) }
    }
    let total = (clock.now - start).seconds
    let result: Value = ["benchmark": "sap-fuzz", "inputs": .int(inputs), "seed": .int(Int(seed)), "parsed": .int(parsed),
                         "seconds": .double(total), "slowest_ms": .double(slowest.seconds * 1000)]
    print("result \(result.jsonString())")
    print("sap-fuzz: \(inputs) inputs, no crash, slowest \(String(format: "%.1f", slowest.seconds * 1000)) ms")
    if slowest.seconds >= 1 {
        FileHandle.standardError.write(Data("an input took \(slowest.seconds) s: \(slowest.input.debugDescription.prefix(300))\n".utf8))
        exit(1)
    }
}

switch CommandLine.arguments.dropFirst().first {
case "bmf-import": try await measureBMFImport()
case "ein-lookup": try measureEINLookup()
case "engine": try await measureEngine()
case "analyze": try await measureAnalyze()
case "sap-fuzz": try measureSAPFuzz()
case "hostile-fuzz": try measureHostileFuzz()
case "store": try await measureStore()
case "workers": try await measureWorkers()
case "funders-setup": try await setupFunders()
case "funders": try await measureFunders()
case "efile-import": try await measureEfileImport()
default:
    FileHandle.standardError.write(Data("usage: catalynx-bench engine [--runs N] [--durability normal|full] [--concurrency C] [--store sqlite|memory]\n".utf8))
    exit(2)
}
