import Foundation

/// One fact in a run's history. A run's events, folded by `RunState.apply`, are its only state.
public struct RunEvent: Sendable, Hashable, Codable {
    public var runID: String
    /// 1, 2, 3, … within the run; the store enforces that no two events share a number.
    public var sequence: Int
    public var timestamp: Date
    public var kind: EventKind

    public init(runID: String, sequence: Int, timestamp: Date, kind: EventKind) {
        self.runID = runID
        self.sequence = sequence
        self.timestamp = timestamp
        self.kind = kind
    }
}

/// Why a step failed, and what was tried about it (factor 9: compact errors into context).
public struct ErrorContext: Sendable, Hashable {
    /// A short category: the `ToolError` type, `Timeout`, `MissingOutput`, or the Swift error type.
    public var type: String
    public var message: String
    public var tool: String
    public var attempt: Int
    /// The inputs the tool was given.
    public var inputs: Value
    /// Whether trying the same input again may help.
    public var retryable: Bool
    /// Recovery strategies tried so far for the step (retry, alternative tool, …).
    public var strategiesTried: [String]

    public init(type: String, message: String, tool: String, attempt: Int, inputs: Value, retryable: Bool, strategiesTried: [String]) {
        self.type = type
        self.message = message
        self.tool = tool
        self.attempt = attempt
        self.inputs = inputs
        self.retryable = retryable
        self.strategiesTried = strategiesTried
    }
}

/// The outcome of a quality gate.
public enum GateOutcome: String, Sendable, Hashable, Codable {
    case passed, failed
    /// A value it references never came to exist (its step was skipped or failed).
    case notEvaluated = "not_evaluated"
}

/// Everything that can happen to a run.
public enum EventKind: Sendable, Hashable {
    /// The run began: the workflow's name, file and exact source, and the resolved inputs.
    case runStarted(workflow: String, file: String, source: String, inputs: [String: Value])
    /// An attempt of a step began. `resumed` marks a re-execution of an attempt interrupted by a crash.
    case stepStarted(step: String, attempt: Int, tool: String, inputs: Value, resumed: Bool)
    /// A step produced its output. `recovery` says how, when not by its own tool on the first try path.
    case stepSucceeded(step: String, attempt: Int, output: Value, recovery: String?)
    case stepFailed(step: String, error: ErrorContext)
    case stepRetryScheduled(step: String, attempt: Int, tool: String, notBefore: Date, strategy: String)
    case stepSkipped(step: String, reason: String)
    /// The step failed for good and the run goes on without it (`on_error.continue`).
    case stepAbandoned(step: String, reason: String)
    case gateEvaluated(gate: String, outcome: GateOutcome, action: String, detail: String)
    /// A step asked a person; the run waits until `humanInputReceived` (or the deadline).
    case humanInputRequested(step: String, attempt: Int, request: Value, deadline: Date?, fallback: String)
    /// The answer (or `{"timed_out": true}`), from whom; the step runs again with it.
    case humanInputReceived(step: String, response: Value, respondent: String)
    case runPaused(reason: String)
    case runResumed
    case runCancelled(reason: String)
    case runCompleted
    case runFailed(reason: String)
    /// The run was made from the events of run `from` that came before step `step` began (`runs fork`);
    /// it goes on from there.
    case runForked(from: String, step: String)
    /// The run was started by schedule `schedule` for its tick at `tick` (`catalynx schedules`).
    case runScheduled(schedule: String, tick: Date)
    /// The model of agent step `step` chose, in turn `turn`, to call `intent` with `arguments`
    /// (`llm`: the model calls it took). A resumed run never asks the model again for a recorded turn.
    case agentDecided(step: String, turn: Int, intent: String, arguments: Value, llm: Value)
    /// What came of turn `turn` of agent step `step`: a tool's result or error, an unreadable answer, a refusal.
    case agentObserved(step: String, turn: Int, observation: AgentObservation)
    /// Step `step` (or, when nil, the whole run) waits for a concurrency slot or a rate window: `reason` says which.
    case throttled(step: String?, reason: String)

    /// The event's type name as stored and shown (`StepSucceeded`).
    public var typeName: String {
        switch self {
        case .runStarted: "RunStarted"
        case .stepStarted: "StepStarted"
        case .stepSucceeded: "StepSucceeded"
        case .stepFailed: "StepFailed"
        case .stepRetryScheduled: "StepRetryScheduled"
        case .stepSkipped: "StepSkipped"
        case .stepAbandoned: "StepAbandoned"
        case .gateEvaluated: "GateEvaluated"
        case .humanInputRequested: "HumanInputRequested"
        case .humanInputReceived: "HumanInputReceived"
        case .runPaused: "RunPaused"
        case .runResumed: "RunResumed"
        case .runCancelled: "RunCancelled"
        case .runCompleted: "RunCompleted"
        case .runFailed: "RunFailed"
        case .runForked: "RunForked"
        case .runScheduled: "RunScheduled"
        case .agentDecided: "AgentDecided"
        case .agentObserved: "AgentObserved"
        case .throttled: "Throttled"
        }
    }

    /// The step this event is about, if any.
    public var stepName: String? {
        switch self {
        case .stepStarted(let step, _, _, _, _), .stepSucceeded(let step, _, _, _), .stepFailed(let step, _),
             .stepRetryScheduled(let step, _, _, _, _), .stepSkipped(let step, _), .stepAbandoned(let step, _),
             .humanInputRequested(let step, _, _, _, _), .humanInputReceived(let step, _, _),
             .agentDecided(let step, _, _, _, _), .agentObserved(let step, _, _):
            step
        case .throttled(let step, _):
            step
        default: nil
        }
    }

    /// The run status this event moves the run to, if it changes it.
    public var resultingStatus: RunStatus? {
        switch self {
        case .runStarted, .runResumed, .humanInputReceived: .running
        case .humanInputRequested: .waiting
        case .runPaused: .paused
        case .runCancelled: .cancelled
        case .runCompleted: .completed
        case .runFailed: .failed
        default: nil
        }
    }
}
