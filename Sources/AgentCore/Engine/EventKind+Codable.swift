import Foundation

/// Events are stored and served as flat JSON objects: `{"type": "StepSucceeded", "step": …}`.
extension EventKind: Codable {
    private enum Key: String, CodingKey {
        case type, workflow, file, source, inputs, step, attempt, tool, resumed, output, recovery, error, notBefore = "not_before"
        case strategy, reason, gate, outcome, action, detail
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: Key.self)
        let type = try c.decode(String.self, forKey: .type)
        switch type {
        case "RunStarted":
            self = .runStarted(workflow: try c.decode(String.self, forKey: .workflow), file: try c.decode(String.self, forKey: .file),
                               source: try c.decode(String.self, forKey: .source), inputs: try c.decode([String: Value].self, forKey: .inputs))
        case "StepStarted":
            self = .stepStarted(step: try c.decode(String.self, forKey: .step), attempt: try c.decode(Int.self, forKey: .attempt),
                                tool: try c.decode(String.self, forKey: .tool), inputs: try c.decode(Value.self, forKey: .inputs),
                                resumed: try c.decodeIfPresent(Bool.self, forKey: .resumed) ?? false)
        case "StepSucceeded":
            self = .stepSucceeded(step: try c.decode(String.self, forKey: .step), attempt: try c.decode(Int.self, forKey: .attempt),
                                  output: try c.decode(Value.self, forKey: .output), recovery: try c.decodeIfPresent(String.self, forKey: .recovery))
        case "StepFailed":
            self = .stepFailed(step: try c.decode(String.self, forKey: .step), error: try c.decode(ErrorContext.self, forKey: .error))
        case "StepRetryScheduled":
            self = .stepRetryScheduled(step: try c.decode(String.self, forKey: .step), attempt: try c.decode(Int.self, forKey: .attempt),
                                       tool: try c.decode(String.self, forKey: .tool), notBefore: try c.decode(Date.self, forKey: .notBefore),
                                       strategy: try c.decode(String.self, forKey: .strategy))
        case "StepSkipped":
            self = .stepSkipped(step: try c.decode(String.self, forKey: .step), reason: try c.decode(String.self, forKey: .reason))
        case "StepAbandoned":
            self = .stepAbandoned(step: try c.decode(String.self, forKey: .step), reason: try c.decode(String.self, forKey: .reason))
        case "GateEvaluated":
            self = .gateEvaluated(gate: try c.decode(String.self, forKey: .gate), outcome: try c.decode(GateOutcome.self, forKey: .outcome),
                                  action: try c.decode(String.self, forKey: .action), detail: try c.decode(String.self, forKey: .detail))
        case "RunPaused": self = .runPaused(reason: try c.decode(String.self, forKey: .reason))
        case "RunResumed": self = .runResumed
        case "RunCancelled": self = .runCancelled(reason: try c.decode(String.self, forKey: .reason))
        case "RunCompleted": self = .runCompleted
        case "RunFailed": self = .runFailed(reason: try c.decode(String.self, forKey: .reason))
        default:
            throw DecodingError.dataCorruptedError(forKey: .type, in: c, debugDescription: "unknown event type '\(type)'")
        }
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: Key.self)
        try c.encode(typeName, forKey: .type)
        switch self {
        case .runStarted(let workflow, let file, let source, let inputs):
            try c.encode(workflow, forKey: .workflow)
            try c.encode(file, forKey: .file)
            try c.encode(source, forKey: .source)
            try c.encode(inputs, forKey: .inputs)
        case .stepStarted(let step, let attempt, let tool, let inputs, let resumed):
            try c.encode(step, forKey: .step)
            try c.encode(attempt, forKey: .attempt)
            try c.encode(tool, forKey: .tool)
            try c.encode(inputs, forKey: .inputs)
            if resumed { try c.encode(resumed, forKey: .resumed) }
        case .stepSucceeded(let step, let attempt, let output, let recovery):
            try c.encode(step, forKey: .step)
            try c.encode(attempt, forKey: .attempt)
            try c.encode(output, forKey: .output)
            try c.encodeIfPresent(recovery, forKey: .recovery)
        case .stepFailed(let step, let error):
            try c.encode(step, forKey: .step)
            try c.encode(error, forKey: .error)
        case .stepRetryScheduled(let step, let attempt, let tool, let notBefore, let strategy):
            try c.encode(step, forKey: .step)
            try c.encode(attempt, forKey: .attempt)
            try c.encode(tool, forKey: .tool)
            try c.encode(notBefore, forKey: .notBefore)
            try c.encode(strategy, forKey: .strategy)
        case .stepSkipped(let step, let reason), .stepAbandoned(let step, let reason):
            try c.encode(step, forKey: .step)
            try c.encode(reason, forKey: .reason)
        case .gateEvaluated(let gate, let outcome, let action, let detail):
            try c.encode(gate, forKey: .gate)
            try c.encode(outcome, forKey: .outcome)
            try c.encode(action, forKey: .action)
            try c.encode(detail, forKey: .detail)
        case .runPaused(let reason), .runCancelled(let reason), .runFailed(let reason):
            try c.encode(reason, forKey: .reason)
        case .runResumed, .runCompleted:
            break
        }
    }
}
