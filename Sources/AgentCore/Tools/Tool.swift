/// What a tool knows about the call it is serving.
public struct ToolContext: Sendable {
    /// The run the step belongs to.
    public var runID: String
    /// The workflow step being executed.
    public var stepName: String
    /// The attempt number, from 1. A step interrupted by a crash runs again with the same attempt.
    public var attempt: Int
    /// The agent step's turn whose call this is, when an agent step called the tool.
    public var turn: Int?
    /// `run/step/attempt` (and `/turn` for an agent's call): the same for every execution of one
    /// attempt, so that a tool with side effects can make them idempotent.
    public var idempotencyKey: String { "\(runID)/\(stepName)/\(attempt)" + (turn.map { "/\($0)" } ?? "") }
    /// A person's answer to the request this step made (`HumanInputRequest`), when it runs again
    /// after the answer, or after the request timed out (`{"timed_out": true}`).
    public var humanResponse: Value?

    public init(runID: String, stepName: String, attempt: Int, humanResponse: Value? = nil, turn: Int? = nil) {
        self.runID = runID
        self.stepName = stepName
        self.attempt = attempt
        self.humanResponse = humanResponse
        self.turn = turn
    }
}

/// Thrown by a tool to ask a person (factor 7): the run waits, durably, until an answer arrives
/// (`WorkflowEngine.respond`); then the step runs again with the answer in `ToolContext.humanResponse`.
public struct HumanInputRequest: Error, Sendable {
    /// What to do when nobody answers in time.
    public enum Fallback: String, Sendable, Hashable, CaseIterable {
        /// Run the step again with `{"timed_out": true}` as the answer (the tool marks its result unvalidated).
        case proceedWithAI = "proceed_with_ai"
        /// Fail the run, saying nobody answered.
        case fail
    }

    /// The question, its context and the choices, as shown to the person.
    public var request: Value
    /// Seconds to wait for an answer; nil waits for ever.
    public var timeout: Double?
    public var fallback: Fallback

    public init(request: Value, timeout: Double?, fallback: Fallback) {
        self.request = request
        self.timeout = timeout
        self.fallback = fallback
    }
}

/// A small, stateless unit of work with a typed input and output (factor 4: tools are
/// structured outputs). Its schemas are derived from `Input` and `Output`.
public protocol Tool: Sendable {
    associatedtype Input: Decodable & Sendable
    associatedtype Output: Codable & Sendable

    /// The name workflows use in `tool:`.
    var name: String { get }
    /// A version string, recorded with every execution.
    var version: String { get }
    /// One sentence for `tools list` and the API.
    var description: String { get }
    /// A typical duration in seconds, for progress estimates (default 1). A tool that declares
    /// 0.05 or less may run inline on the driver, where pause and cancel reach it only after it ends.
    var estimatedDuration: Double { get }

    /// Runs the tool.
    /// - Parameters:
    ///   - input: the validated, decoded input.
    ///   - context: the run, step, attempt and idempotency key of this call.
    func execute(_ input: Input, context: ToolContext) async throws -> Output
}

extension Tool {
    public var version: String { "1.0.0" }
    public var estimatedDuration: Double { 1 }
}

/// An error a tool raises on purpose, saying whether trying again could help.
public struct ToolError: Error, Sendable, CustomStringConvertible {
    /// A short machine-readable category (`InvalidInput`, `NotFound`, `Upstream`, …).
    public var type: String
    public var message: String
    /// Whether a retry of the same input may succeed.
    public var retryable: Bool

    public init(_ type: String, _ message: String, retryable: Bool = false) {
        self.type = type
        self.message = message
        self.retryable = retryable
    }

    public var description: String { message }
}

/// A person's answer to a review (`expert_validator_tool`, `requires_approval`): the response the
/// CLI, the API, the dashboard and MCP record alike.
public struct ReviewAnswer: Sendable, Hashable {
    public enum Decision: String, Sendable, Hashable, CaseIterable { case approve, reject }

    public var decision: Decision
    public var reviewer: String
    public var comment: String?
    public var corrections: [String]
    /// For the approval of an agent's call: the call's inputs as approved (the proposed ones,
    /// edited), or nil to approve them as proposed.
    public var inputs: [String: Value]?

    public init(decision: Decision, reviewer: String, comment: String? = nil, corrections: [String] = [], inputs: [String: Value]? = nil) {
        self.decision = decision
        self.reviewer = reviewer
        self.comment = comment
        self.corrections = corrections
        self.inputs = inputs
    }

    /// The answer as the step reads it from `ToolContext.humanResponse`.
    public var value: Value {
        var answer: [String: Value] = ["decision": .string(decision.rawValue), "reviewer": .string(reviewer)]
        if let comment { answer["comment"] = .string(comment) }
        if !corrections.isEmpty { answer["corrections"] = .array(corrections.map(Value.string)) }
        if let inputs { answer["inputs"] = .object(inputs) }
        return .object(answer)
    }

    /// `proposed` with the `changes` given as text (`--input key=value`): a change to a value that
    /// is not text is read as JSON when it parses (`3`, `true`, `["a"]`).
    public static func editing(_ proposed: [String: Value], with changes: [String: String]) -> [String: Value] {
        var edited = proposed
        for (key, text) in changes {
            if let original = proposed[key], original.stringValue == nil, let parsed = try? Value(json: text) {
                edited[key] = parsed
            } else {
                edited[key] = .string(text)
            }
        }
        return edited
    }
}
