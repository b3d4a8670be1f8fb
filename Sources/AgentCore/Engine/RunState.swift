import Foundation

/// A run as its events describe it. Built only by folding events with `apply(_:)`: nothing
/// about a run is stored anywhere else.
public struct RunState: Sendable {
    public var runID: String
    public var workflowName = ""
    public var workflowFile = ""
    /// The workflow source the run started with.
    public var workflowSource = ""
    public var inputs: [String: Value] = [:]
    public var status = RunStatus.pending
    public var steps: [String: StepState] = [:]
    public var gates: [String: GateResult] = [:]
    /// The sequence number of the last event folded in.
    public var version = 0
    public var startedAt: Date?
    public var updatedAt: Date?
    /// StepFailed events since the last success, across the run (factor 9).
    public var consecutiveFailures = 0
    public var failureReason: String?
    public var pauseReason: String?
    /// The run and step this run was forked from (`runs fork`), if it was.
    public var forkedFrom: ForkOrigin?
    /// The schedule and tick that started the run, if one did.
    public var scheduledBy: ScheduleOrigin?
    /// What the run waits for before a step can start (a workflow's concurrency slot), while it does.
    public var throttled: String?

    public init(runID: String) { self.runID = runID }

    /// Folds a sequence of events into a fresh state.
    public init(runID: String, events: some Sequence<RunEvent>) {
        self.init(runID: runID)
        for event in events { apply(event) }
    }

    /// The state of step `name` (pending when nothing has happened to it).
    public func step(_ name: String) -> StepState { steps[name] ?? StepState() }

    /// The reducer: the state after `event`. Pure, and total: an event that does not fit the
    /// state (a duplicate, say) changes nothing it should not.
    public mutating func apply(_ event: RunEvent) {
        version = max(version, event.sequence)
        updatedAt = event.timestamp
        status = status.after(event.kind)
        switch event.kind {
        case .runStarted(let workflow, let file, let source, let inputs):
            workflowName = workflow
            workflowFile = file
            workflowSource = source
            self.inputs = inputs
            startedAt = event.timestamp
        case .stepStarted(let name, let attempt, let tool, let inputs, _):
            throttled = nil
            update(name) { step in
                guard step.status != .succeeded else { return }
                step.throttled = nil
                step.status = .running
                step.attempt = attempt
                step.tool = tool
                step.inputs = inputs
                if step.startedAt == nil { step.startedAt = event.timestamp }
                step.attemptStartedAt = event.timestamp
                step.executions += 1
            }
        case .stepSucceeded(let name, let attempt, let output, let recovery):
            update(name) { step in
                guard step.status != .succeeded else { return }
                step.status = .succeeded
                step.attempt = attempt
                step.output = output
                step.finishedAt = event.timestamp
                step.notBefore = nil
                if let recovery { step.strategiesTried.append(recovery) }
            }
            consecutiveFailures = 0
        case .stepFailed(let name, let error):
            update(name) { step in
                guard step.status != .succeeded else { return }
                step.status = .failed
                step.failureResolved = false
                step.errors.append(error)
                step.attemptsOnTool += 1
                step.finishedAt = event.timestamp
            }
            consecutiveFailures += 1
        case .stepRetryScheduled(let name, let attempt, let tool, let notBefore, let strategy):
            update(name) { step in
                step.status = .retrying
                step.failureResolved = true
                if tool != step.tool { step.attemptsOnTool = 0 }
                step.attempt = attempt
                step.tool = tool
                step.notBefore = notBefore
                step.strategiesTried.append(strategy)
            }
        case .stepSkipped(let name, let reason):
            update(name) { step in
                step.status = .skipped
                step.skipReason = reason
                step.finishedAt = event.timestamp
            }
        case .stepAbandoned(let name, let reason):
            update(name) { step in
                step.failureResolved = true
                step.abandoned = true
                step.skipReason = reason
                step.strategiesTried.append("graceful degradation (the run continued without the step)")
            }
        case .gateEvaluated(let gate, let outcome, let action, let detail):
            gates[gate] = GateResult(outcome: outcome, action: action, detail: detail)
        case .humanInputRequested(let name, let attempt, let request, let deadline, let fallback):
            update(name) { step in
                guard step.status != .succeeded else { return }
                step.status = .waiting
                step.attempt = attempt
                step.human = HumanRequestState(request: request, requestedAt: event.timestamp, deadline: deadline, fallback: fallback)
                step.agent?.asked(request)
            }
        case .humanInputReceived(let name, let response, let respondent):
            update(name) { step in
                guard step.status == .waiting else { return }
                step.status = .retrying
                step.notBefore = nil
                step.human?.response = response
                step.human?.respondent = respondent
                step.agent?.answered(step.human?.request, response: response, respondent: respondent)
            }
        case .runPaused(let reason):
            pauseReason = reason
        case .runResumed:
            pauseReason = nil
        case .runCancelled(let reason), .runFailed(let reason):
            if failureReason == nil { failureReason = reason }
        case .runForked(let from, let step):
            forkedFrom = ForkOrigin(run: from, step: step)
        case .runScheduled(let schedule, let tick):
            scheduledBy = ScheduleOrigin(schedule: schedule, tick: tick)
        case .agentDecided(let name, let turn, let intent, let arguments, let llm):
            update(name) { step in
                guard step.status == .running else { return }
                step.agent = step.agent ?? AgentThread()
                step.agent?.decided(turn: turn, intent: intent, arguments: arguments, llm: llm)
            }
        case .agentObserved(let name, let turn, let observation):
            update(name) { step in
                guard step.status == .running else { return }
                step.agent = step.agent ?? AgentThread()
                step.agent?.observed(turn: turn, observation)
            }
        case .throttled(let name?, let reason):
            update(name) { $0.throttled = reason }
        case .throttled(nil, let reason):
            throttled = reason
        case .runCompleted:
            break
        }
    }

    private mutating func update(_ name: String, _ change: (inout StepState) -> Void) {
        var step = steps[name] ?? StepState()
        change(&step)
        steps[name] = step
    }
}

/// A step as its events describe it.
public struct StepState: Sendable, Hashable {
    public var status = StepStatus.pending
    /// The current (or last) attempt, from 1, across the step's tool and its alternatives.
    public var attempt = 0
    /// The tool of the current attempt.
    public var tool: String?
    /// Failed attempts of the current tool.
    public var attemptsOnTool = 0
    /// How many times an attempt was started, resumed ones included.
    public var executions = 0
    public var inputs: Value?
    public var output: Value?
    public var errors: [ErrorContext] = []
    public var strategiesTried: [String] = []
    public var skipReason: String?
    /// A failed step whose recovery has been decided (retry scheduled, fallback, abandoned).
    public var failureResolved = true
    /// The step failed for good and the run continued without it.
    public var abandoned = false
    public var notBefore: Date?
    public var startedAt: Date?
    public var attemptStartedAt: Date?
    public var finishedAt: Date?
    /// The step's request to a person, and the answer once given.
    public var human: HumanRequestState?
    /// An agent step's history and where its loop stands.
    public var agent: AgentThread?
    /// What the step waits for before it can start (a concurrency slot, a rate window), while it does.
    public var throttled: String?

    public init() {}

    /// Whether the step will neither run again nor produce an output: skipped, or failed and abandoned.
    public var isDeadEnd: Bool { status == .skipped || (status == .failed && abandoned) }

    /// Whether the step is finished one way or another.
    public var isFinished: Bool { status == .succeeded || isDeadEnd }
}

/// A step's request to a person (`HumanInputRequested`) and its answer.
public struct HumanRequestState: Sendable, Hashable {
    public var request: Value
    public var requestedAt: Date
    public var deadline: Date?
    /// `proceed_with_ai` or `fail`.
    public var fallback: String
    public var response: Value?
    public var respondent: String?
}

/// The recorded outcome of a quality gate.
public struct GateResult: Sendable, Hashable {
    public var outcome: GateOutcome
    public var action: String
    public var detail: String
}

/// Where a forked run came from: the run whose events it copied, and the step it went on from.
public struct ForkOrigin: Sendable, Hashable {
    public var run: String
    public var step: String

    public init(run: String, step: String) {
        self.run = run
        self.step = step
    }
}

/// What started a scheduled run: the schedule, and the tick it was started for.
public struct ScheduleOrigin: Sendable, Hashable {
    public var schedule: String
    public var tick: Date

    public init(schedule: String, tick: Date) {
        self.schedule = schedule
        self.tick = tick
    }
}
