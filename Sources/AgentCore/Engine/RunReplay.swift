import Foundation

/// A determinism check of a run's log: folds its events again, one by one, and before each event the
/// engine decided (a step started, skipped or abandoned, a retry scheduled, a gate evaluated, the run's
/// end) asks the `Scheduler` what it decides now on the state folded so far. A log the workflow (and
/// this code) still reproduces is deterministic; the first event it would not decide again is the
/// divergence. Events that came from outside (tool results, answers, pauses) are folded unchecked.
public struct RunReplay: Sendable {
    /// The first recorded event the workflow no longer decides.
    public struct Divergence: Sendable {
        public var sequence: Int
        public var recorded: EventKind
        /// What the scheduler decides instead, at that point (`StepStarted b#1`, `RunCompleted`, …); empty: nothing.
        public var decided: [String]
    }

    /// The state the events fold into.
    public var state: RunState
    /// Events folded.
    public var events: Int
    /// Decisions checked against the scheduler (up to the divergence, if any).
    public var decisionsChecked: Int
    public var divergence: Divergence?

    /// Replays `events` (a run's whole log, in order) against `definition`. Pure.
    public init(_ definition: WorkflowDefinition, runID: String, events: [RunEvent]) {
        var state = RunState(runID: runID)
        var checked = 0
        var divergence: Divergence?
        for event in events {
            if divergence == nil, Self.isDecision(event.kind) {
                // Steps executing at that moment were in flight, except the one this event starts again after a crash.
                let running = Set(state.steps.filter { $0.value.status == .running }.map(\.key)).subtracting([event.kind.stepName].compactMap { $0 })
                let decided = Scheduler.decide(definition, state, now: event.timestamp, inFlight: running).compactMap(Self.event(of:))
                if decided.map(Self.comparable).contains(Self.comparable(event.kind)) {
                    checked += 1
                } else {
                    divergence = Divergence(sequence: event.sequence, recorded: event.kind, decided: decided.map(Self.describe))
                }
            }
            state.apply(event)
        }
        self.state = state
        self.events = events.count
        decisionsChecked = checked
        self.divergence = divergence
    }

    /// Whether the engine records this kind of event from the scheduler's decision (not from a tool or a person).
    static func isDecision(_ kind: EventKind) -> Bool {
        switch kind {
        case .stepStarted, .stepSkipped, .stepAbandoned, .stepRetryScheduled, .gateEvaluated, .runCompleted, .runFailed: true
        default: false
        }
    }

    /// The event as compared: a retry's time is when it was decided, a moment before the event was
    /// stamped, so only the rest of it is compared.
    static func comparable(_ kind: EventKind) -> EventKind {
        guard case .stepRetryScheduled(let step, let attempt, let tool, _, let strategy) = kind else { return kind }
        return .stepRetryScheduled(step: step, attempt: attempt, tool: tool, notBefore: .distantPast, strategy: strategy)
    }

    /// The event a command records, as the engine stages it.
    static func event(of command: Command) -> EventKind? {
        switch command {
        case .record(let kind): kind
        case .execute(let execution):
            .stepStarted(step: execution.step, attempt: execution.attempt, tool: execution.tool, inputs: execution.inputs, resumed: execution.resumed)
        case .wake: nil
        }
    }

    /// An event in a few words: its type, and its step, attempt and inputs, or its gate.
    public static func describe(_ kind: EventKind) -> String {
        switch kind {
        case .stepStarted(let step, let attempt, let tool, let inputs, let resumed):
            "StepStarted \(step)#\(attempt) (\(tool)\(resumed ? ", resumed" : "")) inputs \(inputs.jsonString())"
        case .gateEvaluated(let gate, let outcome, _, _): "GateEvaluated \(gate): \(outcome.rawValue)"
        case .runFailed(let reason): "RunFailed: \(reason)"
        default: [kind.typeName, kind.stepName].compactMap { $0 }.joined(separator: " ")
        }
    }
}
