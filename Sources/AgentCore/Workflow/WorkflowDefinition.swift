import Foundation

/// A loaded, validated workflow: the steps of an analysis and how they connect.
public struct WorkflowDefinition: Sendable {
    /// The `workflow:` name (`current_tier_analysis`).
    public var name: String
    public var description: String
    public var estimatedDuration: Double?
    public var estimatedCost: Double?
    public var inputs: [WorkflowInput]
    public var steps: [WorkflowStep]
    public var qualityGates: [QualityGate]
    /// At most this many steps of one run execute at the same time.
    public var maxParallel: Int
    /// The `schedules:` that start it (`serve` and `worker` fire them).
    public var schedules: [ScheduleSpec] = []
    /// At most this many runs with the same key are driven at once (waiting for a person does not hold it).
    public var concurrency: ConcurrencyLimit? = nil
    /// The file it came from and its exact text: a run records both, so it resumes with the
    /// definition it started with even if the file changes.
    public var file: String
    public var source: String

    /// The step called `name`.
    public func step(named name: String) -> WorkflowStep? { steps.first { $0.name == name } }

    /// The step that exposes output alias `alias`.
    public func step(providingAlias alias: String) -> WorkflowStep? {
        steps.first { $0.outputs.contains { $0.alias == alias } }
    }
}

/// A declared workflow input.
public struct WorkflowInput: Sendable {
    public enum Kind: Sendable, Hashable {
        case string, int, float, bool, object, list
        case enumeration([String])

        /// The schema a value of this kind satisfies.
        public var schema: Schema {
            switch self {
            case .string: .string
            case .int: .integer
            case .float: .number
            case .bool: .boolean
            case .object: .any
            case .list: .array(.any)
            case .enumeration(let values): .enumeration(values)
            }
        }
    }

    public var name: String
    public var kind: Kind
    public var required: Bool
    public var defaultValue: Value?
    public var description: String?
    public var location: SourceLocation
}

/// One step: a tool called with templated inputs once its dependencies have succeeded.
public struct WorkflowStep: Sendable {
    public var name: String
    public var tool: String
    public var description: String?
    /// Input field name → template.
    public var inputs: [String: Template]
    /// `alias: path` pairs, in file order.
    public var outputs: [OutputAlias]
    public var dependsOn: [String]
    public var condition: Expression?
    public var retry: RetryPolicy
    /// Seconds one attempt may take before it fails with a timeout.
    public var timeout: Double?
    public var onError: ErrorPolicy
    /// Pause between choosing the step and running it until a person approves (factor 8).
    public var requiresApproval: Bool = false
    /// Set for an `agent:` step, whose `tool` is then `agent:FUNCTION` (the model picks the tools).
    public var agent: AgentSpec? = nil
    /// At most this many attempts of the step, across runs, execute at once for the same key.
    public var concurrency: ConcurrencyLimit? = nil
    /// At most this many executions of the step per second or minute for the same key, across runs.
    public var rateLimit: RateLimit? = nil
    /// Where each part of the step is written, for diagnostics: `step`, `name`, `tool`,
    /// `depends_on`, `condition`, `inputs`, `inputs.<field>`, `outputs.<alias>`, `on_error`.
    public var locations: [String: SourceLocation]

    /// The location of `part`, or of the step itself.
    public func location(_ part: String) -> SourceLocation {
        locations[part] ?? locations["step"] ?? SourceLocation(file: "", line: 0, column: 0)
    }
}

/// `alias: field.path`: the value at `path` in the step's output, visible to later steps as `alias`.
public struct OutputAlias: Sendable, Hashable {
    public var alias: String
    public var path: [String]
}

/// How often and how soon a failed step is tried again.
public struct RetryPolicy: Sendable, Hashable {
    public enum Backoff: String, Sendable, Hashable, CaseIterable { case constant, exponential }

    /// Total attempts, the first included (1 = no retry).
    public var maxAttempts: Int
    public var backoff: Backoff
    /// Seconds before the first retry.
    public var delay: Double
    public var multiplier: Double
    public var maxDelay: Double

    public static let none = RetryPolicy(maxAttempts: 1, backoff: .constant, delay: 0, multiplier: 2, maxDelay: 60)

    public init(maxAttempts: Int, backoff: Backoff, delay: Double, multiplier: Double, maxDelay: Double) {
        self.maxAttempts = maxAttempts
        self.backoff = backoff
        self.delay = delay
        self.multiplier = multiplier
        self.maxDelay = maxDelay
    }

    /// Seconds to wait before attempt `attempt` (2 = the first retry).
    public func delay(beforeAttempt attempt: Int) -> Double {
        switch backoff {
        case .constant: return delay
        case .exponential: return min(maxDelay, delay * pow(multiplier, Double(max(0, attempt - 2))))
        }
    }
}

/// What happens once a step has used up its retries.
public struct ErrorPolicy: Sendable, Hashable {
    /// Tools tried in order, with the same inputs, each with the step's retry policy.
    public var alternatives: [String]
    /// A value recorded as the step's output when every tool failed.
    public var fallback: Value?
    /// Whether the run goes on without the step (its dependents are skipped).
    public var continueRun: Bool

    public static let failRun = ErrorPolicy(alternatives: [], fallback: nil, continueRun: false)
}

/// A check on the run's values, evaluated as soon as every value it references exists.
public struct QualityGate: Sendable {
    public enum FailureAction: String, Sendable, Hashable, CaseIterable {
        case failRun = "fail_run"
        case warn
        case requestAdditionalData = "request_additional_data"
        case expertValidationRecommended = "expert_validation_recommended"
    }

    public var name: String
    public var condition: Expression
    public var failureAction: FailureAction
    public var description: String?
    public var location: SourceLocation
}
