/// An agent step's history, folded from its events (`AgentDecided`, `AgentObserved` and the
/// person's questions and answers): what the model sees each turn, and where the loop stands.
public struct AgentThread: Sendable, Hashable {
    /// One thing that happened in the step.
    public enum Entry: Sendable, Hashable {
        /// The model chose `intent` with `arguments`.
        case call(turn: Int, intent: String, arguments: Value)
        /// What came of a turn: a tool's result or error, an unreadable answer, a policy's refusal.
        case observation(turn: Int, AgentObservation)
        /// The step asked a person (a question, an approval, an escalation).
        case question(Value)
        /// The person's answer.
        case answer(Value, respondent: String)

        /// The turn it belongs to (nil for a person's question or answer).
        public var turn: Int? {
            switch self {
            case .call(let turn, _, _), .observation(let turn, _): turn
            case .question, .answer: nil
            }
        }

        /// One line for people: `→ echo {"value":1}`, `← {"value":1}`, `! Denied: …`, `? question`, `✎ ann: {…}`.
        public var summary: String {
            switch self {
            case .call(_, let intent, let arguments): "→ \(intent) \(arguments.compactJSON)"
            case .observation(_, let observation): observation.errorDescription.map { "! \($0)" } ?? "← \((observation.output ?? .null).compactJSON)"
            case .question(let request): "? \(request["question"]?.stringValue ?? request.compactJSON)"
            case .answer(let response, let respondent): "✎ \(respondent): \(response.compactJSON)"
            }
        }
    }

    /// The model's latest call, until it has been carried out (executed, refused, asked or answered).
    public struct PendingCall: Sendable, Hashable {
        public var turn: Int
        public var intent: String
        public var arguments: Value
        /// A person approved it (its arguments are then the ones they approved).
        public var approved = false
    }

    public var entries: [Entry] = []
    /// Turns taken: decisions the model was asked for, unreadable ones included.
    public var turns = 0
    /// Errors since the last success or the last answer to an escalation (factor 9).
    public var consecutiveErrors = 0
    public var pending: PendingCall?
    /// The model calls of every turn, as recorded (opaque to the engine).
    public var llm: [Value] = []

    public init() {}

    mutating func decided(turn: Int, intent: String, arguments: Value, llm calls: Value) {
        llm += calls.arrayValue ?? []
        entries.append(.call(turn: turn, intent: intent, arguments: arguments))
        turns = max(turns, turn)
        pending = PendingCall(turn: turn, intent: intent, arguments: arguments)
    }

    mutating func observed(turn: Int, _ observation: AgentObservation) {
        entries.append(.observation(turn: turn, observation))
        if observation.source == .model { turns = max(turns, turn) } else { pending = nil }
        consecutiveErrors = observation.isError ? consecutiveErrors + 1 : 0
    }

    mutating func asked(_ request: Value) {
        entries.append(.question(request))
    }

    mutating func answered(_ request: Value?, response: Value, respondent: String) {
        entries.append(.answer(response, respondent: respondent))
        switch request?["kind"]?.stringValue {
        case AgentRequestKind.approval:
            if response["decision"]?.stringValue == "reject" {
                pending = nil
            } else {
                pending?.approved = true
                if case .object? = response["inputs"], let edited = response["inputs"] { pending?.arguments = edited }
            }
        case AgentRequestKind.escalation:
            consecutiveErrors = 0
        default:
            pending = nil
        }
    }

    /// The latest errors, newest last (what an escalation shows the person).
    public var recentErrors: [String] {
        entries.suffix(consecutiveErrors * 2).compactMap { entry in
            guard case .observation(_, let observation) = entry, let message = observation.errorDescription else { return nil }
            return message
        }
    }
}

/// The `kind` of the requests an agent step makes of a person.
public enum AgentRequestKind {
    /// The model asked a question (`request_human_input`).
    public static let question = "agent_question"
    /// A call under the `approve` policy waits for a yes (with the arguments, maybe edited) or a no.
    public static let approval = "approval"
    /// Too many errors in a row: how should the agent go on?
    public static let escalation = "agent_escalation"
}

/// What came of one turn.
public struct AgentObservation: Sendable, Hashable {
    public enum Source: String, Sendable, Hashable {
        /// A tool ran (or could not).
        case tool
        /// The model's answer could not be read.
        case model
        /// The step's policy refused the call (denied, or not one of its tools).
        case policy
    }

    public var source: Source
    public var tool: String?
    /// The inputs the tool was given.
    public var inputs: Value?
    /// The tool's output, when it succeeded.
    public var output: Value?
    /// The error's category and message, when there was one.
    public var errorType: String?
    public var message: String?

    public init(source: Source, tool: String? = nil, inputs: Value? = nil, output: Value? = nil, errorType: String? = nil, message: String? = nil) {
        self.source = source
        self.tool = tool
        self.inputs = inputs
        self.output = output
        self.errorType = errorType
        self.message = message
    }

    public var isError: Bool { errorType != nil }

    /// `Type: message`, for errors.
    public var errorDescription: String? {
        errorType.map { type in message.map { "\(type): \($0)" } ?? type }
    }
}
