import Foundation

/// Events are stored and served as flat JSON objects: `{"type": "StepSucceeded", "step": …}`.
/// The mapping is written out by hand, once, and `Codable` goes through it.
extension EventKind {
    /// The event as a flat object with a `type` member.
    public var value: Value {
        var object: [String: Value] = ["type": .string(typeName)]
        switch self {
        case .runStarted(let workflow, let file, let source, let inputs):
            object["workflow"] = .string(workflow)
            object["file"] = .string(file)
            object["source"] = .string(source)
            object["inputs"] = .object(inputs)
        case .stepStarted(let step, let attempt, let tool, let inputs, let resumed):
            object["step"] = .string(step)
            object["attempt"] = .int(attempt)
            object["tool"] = .string(tool)
            object["inputs"] = inputs
            if resumed { object["resumed"] = .bool(true) }
        case .stepSucceeded(let step, let attempt, let output, let recovery):
            object["step"] = .string(step)
            object["attempt"] = .int(attempt)
            object["output"] = output
            if let recovery { object["recovery"] = .string(recovery) }
        case .stepFailed(let step, let error):
            object["step"] = .string(step)
            object["error"] = error.value
        case .stepRetryScheduled(let step, let attempt, let tool, let notBefore, let strategy):
            object["step"] = .string(step)
            object["attempt"] = .int(attempt)
            object["tool"] = .string(tool)
            object["not_before"] = .double(notBefore.timeIntervalSince1970)
            object["strategy"] = .string(strategy)
        case .stepSkipped(let step, let reason), .stepAbandoned(let step, let reason):
            object["step"] = .string(step)
            object["reason"] = .string(reason)
        case .gateEvaluated(let gate, let outcome, let action, let detail):
            object["gate"] = .string(gate)
            object["outcome"] = .string(outcome.rawValue)
            object["action"] = .string(action)
            object["detail"] = .string(detail)
        case .humanInputRequested(let step, let attempt, let request, let deadline, let fallback):
            object["step"] = .string(step)
            object["attempt"] = .int(attempt)
            object["request"] = request
            if let deadline { object["deadline"] = .double(deadline.timeIntervalSince1970) }
            object["fallback"] = .string(fallback)
        case .humanInputReceived(let step, let response, let respondent):
            object["step"] = .string(step)
            object["response"] = response
            object["respondent"] = .string(respondent)
        case .runPaused(let reason), .runCancelled(let reason), .runFailed(let reason):
            object["reason"] = .string(reason)
        case .runForked(let from, let step):
            object["from"] = .string(from)
            object["step"] = .string(step)
        case .runScheduled(let schedule, let tick):
            object["schedule"] = .string(schedule)
            object["tick"] = .double(tick.timeIntervalSince1970)
        case .agentDecided(let step, let turn, let intent, let arguments, let llm):
            object["step"] = .string(step)
            object["turn"] = .int(turn)
            object["intent"] = .string(intent)
            object["arguments"] = arguments
            if llm != .null { object["llm"] = llm }
        case .agentObserved(let step, let turn, let observation):
            object["step"] = .string(step)
            object["turn"] = .int(turn)
            object["source"] = .string(observation.source.rawValue)
            object["tool"] = observation.tool.map(Value.string)
            object["inputs"] = observation.inputs
            object["output"] = observation.output
            object["error_type"] = observation.errorType.map(Value.string)
            object["message"] = observation.message.map(Value.string)
        case .throttled(let step, let reason):
            object["step"] = step.map(Value.string)
            object["reason"] = .string(reason)
        case .runResumed, .runCompleted:
            break
        }
        return .object(object)
    }

    /// Reads an event from its flat object form.
    /// - Throws: `EventDecodingError` naming the missing or mistyped field.
    public init(value: Value) throws(EventDecodingError) {
        let fields = EventFields(value)
        switch try fields.string("type") {
        case "RunStarted":
            guard case .object(let inputs)? = value["inputs"] else { throw EventDecodingError(field: "inputs", expected: "an object") }
            self = .runStarted(workflow: try fields.string("workflow"), file: try fields.string("file"), source: try fields.string("source"), inputs: inputs)
        case "StepStarted":
            self = .stepStarted(step: try fields.string("step"), attempt: try fields.int("attempt"), tool: try fields.string("tool"),
                                inputs: value["inputs"] ?? .null, resumed: value["resumed"] == .bool(true))
        case "StepSucceeded":
            self = .stepSucceeded(step: try fields.string("step"), attempt: try fields.int("attempt"), output: value["output"] ?? .null,
                                  recovery: value["recovery"]?.stringValue)
        case "StepFailed":
            self = .stepFailed(step: try fields.string("step"), error: try ErrorContext(value: value["error"] ?? .null))
        case "StepRetryScheduled":
            guard let notBefore = value["not_before"]?.numberValue else { throw EventDecodingError(field: "not_before", expected: "a number") }
            self = .stepRetryScheduled(step: try fields.string("step"), attempt: try fields.int("attempt"), tool: try fields.string("tool"),
                                       notBefore: Date(timeIntervalSince1970: notBefore), strategy: try fields.string("strategy"))
        case "StepSkipped": self = .stepSkipped(step: try fields.string("step"), reason: try fields.string("reason"))
        case "StepAbandoned": self = .stepAbandoned(step: try fields.string("step"), reason: try fields.string("reason"))
        case "GateEvaluated":
            guard let outcome = GateOutcome(rawValue: try fields.string("outcome")) else {
                throw EventDecodingError(field: "outcome", expected: "passed, failed or not_evaluated")
            }
            self = .gateEvaluated(gate: try fields.string("gate"), outcome: outcome, action: try fields.string("action"), detail: try fields.string("detail"))
        case "HumanInputRequested":
            self = .humanInputRequested(step: try fields.string("step"), attempt: try fields.int("attempt"), request: value["request"] ?? .null,
                                        deadline: value["deadline"]?.numberValue.map(Date.init(timeIntervalSince1970:)),
                                        fallback: try fields.string("fallback"))
        case "HumanInputReceived":
            self = .humanInputReceived(step: try fields.string("step"), response: value["response"] ?? .null,
                                       respondent: try fields.string("respondent"))
        case "RunPaused": self = .runPaused(reason: try fields.string("reason"))
        case "RunResumed": self = .runResumed
        case "RunCancelled": self = .runCancelled(reason: try fields.string("reason"))
        case "RunCompleted": self = .runCompleted
        case "RunFailed": self = .runFailed(reason: try fields.string("reason"))
        case "RunForked": self = .runForked(from: try fields.string("from"), step: try fields.string("step"))
        case "RunScheduled":
            guard let tick = value["tick"]?.numberValue else { throw EventDecodingError(field: "tick", expected: "the tick as seconds since 1970") }
            self = .runScheduled(schedule: try fields.string("schedule"), tick: Date(timeIntervalSince1970: tick))
        case "AgentDecided":
            self = .agentDecided(step: try fields.string("step"), turn: try fields.int("turn"), intent: try fields.string("intent"),
                                 arguments: value["arguments"] ?? .null, llm: value["llm"] ?? .null)
        case "AgentObserved":
            guard let source = AgentObservation.Source(rawValue: try fields.string("source")) else {
                throw EventDecodingError(field: "source", expected: "tool, model or policy")
            }
            self = .agentObserved(step: try fields.string("step"), turn: try fields.int("turn"), observation: AgentObservation(
                source: source, tool: value["tool"]?.stringValue, inputs: value["inputs"], output: value["output"],
                errorType: value["error_type"]?.stringValue, message: value["message"]?.stringValue))
        case "Throttled": self = .throttled(step: value["step"]?.stringValue, reason: try fields.string("reason"))
        case let other: throw EventDecodingError(field: "type", expected: "a known event type, not '\(other)'")
        }
    }
}

extension EventKind: Codable {
    public init(from decoder: Decoder) throws {
        try self.init(value: Value(from: decoder))
    }

    public func encode(to encoder: Encoder) throws {
        try value.encode(to: encoder)
    }
}

extension ErrorContext {
    public var value: Value {
        [
            "type": .string(type), "message": .string(message), "tool": .string(tool), "attempt": .int(attempt), "inputs": inputs,
            "retryable": .bool(retryable), "strategies_tried": .array(strategiesTried.map(Value.string)),
        ]
    }

    init(value: Value) throws(EventDecodingError) {
        let fields = EventFields(value)
        self.init(type: try fields.string("type"), message: try fields.string("message"), tool: try fields.string("tool"),
                  attempt: try fields.int("attempt"), inputs: value["inputs"] ?? .null, retryable: value["retryable"] == .bool(true),
                  strategiesTried: (value["strategies_tried"]?.arrayValue ?? []).compactMap(\.stringValue))
    }
}

/// A stored event that cannot be read.
public struct EventDecodingError: Error, Sendable, CustomStringConvertible {
    public var field: String
    public var expected: String
    public var description: String { "event field '\(field)': expected \(expected)" }
}

private struct EventFields {
    let value: Value
    init(_ value: Value) { self.value = value }

    func string(_ key: String) throws(EventDecodingError) -> String {
        guard let string = value[key]?.stringValue else { throw EventDecodingError(field: key, expected: "a string") }
        return string
    }

    func int(_ key: String) throws(EventDecodingError) -> Int {
        guard case .int(let int)? = value[key] else { throw EventDecodingError(field: key, expected: "an integer") }
        return int
    }
}
