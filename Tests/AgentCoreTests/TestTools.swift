import Foundation
import Synchronization
@testable import AgentCore

/// A tool whose behaviour a test supplies as a closure.
struct ClosureTool<Input: Codable & Sendable, Output: Codable & Sendable>: Tool {
    let name: String
    let description = "test tool"
    let body: @Sendable (Input, ToolContext) async throws -> Output

    init(_ name: String, _ body: @escaping @Sendable (Input, ToolContext) async throws -> Output) {
        self.name = name
        self.body = body
    }

    func execute(_ input: Input, context: ToolContext) async throws -> Output { try await body(input, context) }
}

struct AnyInput: Codable, Sendable { var value: Value }
struct AnyOutput: Codable, Sendable { var value: Value }

/// Counts executions per idempotency key.
final class ExecutionLog: Sendable {
    private let keys = Mutex([String]())
    func record(_ key: String) { keys.withLock { $0.append(key) } }
    var all: [String] { keys.withLock { $0 } }
    func count(step: String) -> Int { all.filter { $0.split(separator: "/").dropFirst().first.map(String.init) == step }.count }
}

enum Fixtures {
    /// The project's `workflows` folder: the seed's `current_tier.yaml` is tested where it ships.
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("workflows")

    static func source(_ name: String) throws -> String {
        try String(contentsOf: directory.appendingPathComponent(name), encoding: .utf8)
    }

    /// Stand-ins for the seed's grant-research tools, typed like the real ones' inputs and outputs.
    static func seedRegistry(completeness: Double = 0.9, confidence: Double = 0.8) -> ToolRegistry {
        struct EIN: Codable, Sendable { var ein: String }
        struct Validated: Codable, Sendable { var formatted_ein: String; var valid: Bool }
        struct Fetch: Codable, Sendable { var ein: String; var required_fields: [String] }
        struct Fetched: Codable, Sendable { var organization_data: Value }
        struct Org: Codable, Sendable { var organization: Value }
        struct Quality: Codable, Sendable { var completeness_score: Double }
        struct Validation: Codable, Sendable { var validation_results: Quality }
        struct Metrics: Codable, Sendable { var metrics: Value }
        struct RiskInput: Codable, Sendable { var organization: Value; var financial_metrics: Value }
        struct Risk: Codable, Sendable { var confidence: Double; var score: Int }
        struct RiskOutput: Codable, Sendable { var risk_data: Risk }
        struct ReportInput: Codable, Sendable { var report_type: String; var organization: Value; var financial_analysis: Value; var risk_assessment: Value }
        struct Report: Codable, Sendable { var report: Value }
        var registry = ToolRegistry()
        registry.register(ClosureTool<EIN, Validated>("ein_validator_tool") { input, _ in
            Validated(formatted_ein: input.ein.count == 9 ? "\(input.ein.prefix(2))-\(input.ein.dropFirst(2))" : input.ein, valid: true)
        })
        registry.register(ClosureTool<Fetch, Fetched>("bmf_data_fetcher_tool") { input, _ in
            Fetched(organization_data: ["ein": .string(input.ein), "name": "Test Org", "fields": .array(input.required_fields.map(Value.string))])
        })
        registry.register(ClosureTool<Org, Validation>("data_validator_tool") { _, _ in
            Validation(validation_results: Quality(completeness_score: completeness))
        })
        registry.register(ClosureTool<Org, Metrics>("financial_metrics_calculator_tool") { input, _ in
            Metrics(metrics: ["for": input.organization["name"] ?? nil, "operating_margin": 0.05])
        })
        registry.register(ClosureTool<RiskInput, RiskOutput>("risk_score_calculator_tool") { _, _ in
            RiskOutput(risk_data: Risk(confidence: confidence, score: 30))
        })
        registry.register(ClosureTool<ReportInput, Report>("report_generator_tool") { input, _ in
            Report(report: ["type": .string(input.report_type), "risk": input.risk_assessment])
        })
        return registry
    }

    /// Generic tools for engine tests: `echo`, `sleep`, `flaky` (fails its first n attempts), `boom` (always fails).
    static func engineRegistry(log: ExecutionLog) -> ToolRegistry {
        struct SleepInput: Codable, Sendable { var seconds: Double }
        struct Flaky: Codable, Sendable { var n: Int; var retryable: Bool? }
        var registry = ToolRegistry()
        registry.register(ClosureTool<AnyInput, AnyOutput>("echo") { input, context in
            log.record(context.idempotencyKey)
            return AnyOutput(value: input.value)
        })
        // Asks a person (input.value is the timeout in seconds, or null); returns their answer.
        registry.register(ClosureTool<AnyInput, AnyOutput>("ask") { input, context in
            log.record(context.idempotencyKey)
            guard let answer = context.humanResponse else {
                let timeout: Double? = if case .int(let seconds) = input.value { Double(seconds) } else { input.value.numberValue }
                throw HumanInputRequest(request: ["question": "approve?"], timeout: timeout,
                                        fallback: timeout == 0 ? .fail : .proceedWithAI)
            }
            return AnyOutput(value: answer)
        })
        registry.register(ClosureTool<SleepInput, AnyOutput>("sleep") { input, context in
            log.record(context.idempotencyKey)
            try await Task.sleep(for: .milliseconds(Int64(input.seconds * 1000)))
            return AnyOutput(value: .double(input.seconds))
        })
        registry.register(ClosureTool<Flaky, AnyOutput>("flaky") { input, context in
            log.record(context.idempotencyKey)
            if context.attempt <= input.n {
                throw ToolError("Flaky", "attempt \(context.attempt) fails", retryable: input.retryable ?? true)
            }
            return AnyOutput(value: .int(context.attempt))
        })
        registry.register(ClosureTool<Flaky, AnyOutput>("backup") { _, context in
            log.record(context.idempotencyKey)
            return AnyOutput(value: "from backup")
        })
        return registry
    }
}
