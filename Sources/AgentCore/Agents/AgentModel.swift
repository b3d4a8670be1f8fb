/// The model behind agent steps: given the step's function, its inputs and its history written
/// as text, it returns the next call. Implemented at the edge (BAML functions on an LLM client);
/// the engine only sees this protocol.
public protocol AgentModel: Sendable {
    /// Asks `function` for the next step.
    /// - Parameters:
    ///   - function: the agent step's BAML function.
    ///   - inputs: the step's resolved inputs (passed to the function's parameters of the same name).
    ///   - thread: the step's history, serialized (passed as the `thread` parameter).
    /// - Returns: the chosen intent and its arguments, with the calls it took.
    /// - Throws: `AgentModelError`.
    func nextStep(function: String, inputs: [String: Value], thread: String) async throws(AgentModelError) -> AgentDecision
}

/// What the model chose in one turn.
public struct AgentDecision: Sendable, Hashable {
    /// A tool's name, `done` or `request_human_input`.
    public var intent: String
    /// The chosen class's other fields: the tool's inputs, the answer or the question.
    public var arguments: Value
    /// The model calls the turn took (model, tokens, cost, milliseconds), as recorded.
    public var llm: Value

    public init(intent: String, arguments: Value, llm: Value = .null) {
        self.intent = intent
        self.arguments = arguments
        self.llm = llm
    }
}

/// Why a turn produced no decision.
public struct AgentModelError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Kind: String, Sendable, Hashable {
        /// No model is configured: the step goes straight to its fallback.
        case notConfigured = "NoModel"
        /// The model could not be reached or refused (network, rate limit, server error): the
        /// step fails and its retry policy applies.
        case unavailable = "ModelUnavailable"
        /// The model answered, but not in the function's shape: the model is told, and asked again.
        case unreadable = "UnreadableAnswer"
        /// The function is missing or does not return intent classes: a workflow error.
        case invalidFunction = "InvalidAgentFunction"
    }

    public var kind: Kind
    public var message: String
    /// The model calls made, as recorded.
    public var llm: Value

    public init(_ kind: Kind, _ message: String, llm: Value = .null) {
        self.kind = kind
        self.message = message
        self.llm = llm
    }

    public var description: String { message }
}
