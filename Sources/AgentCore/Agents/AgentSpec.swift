/// An `agent:` step (factors 4, 8 and 10): a model chooses, turn by turn, which of the step's
/// tools to call next; the runtime executes the call and shows the model the result, until the
/// model answers (`done`), a person is asked, or the turn budget runs out.
public struct AgentSpec: Sendable, Hashable {
    /// What the runtime does with a call the model chose (factor 8: own your control flow).
    public enum Policy: String, Sendable, Hashable, CaseIterable {
        /// Execute it.
        case auto
        /// Pause until a person approves it (and maybe edits its arguments), then execute it.
        case approve
        /// Never execute it; the model is told so.
        case deny
    }

    /// How the step's history is written into the prompt (factor 3: own your context window).
    public enum Serializer: String, Sendable, Hashable, CaseIterable {
        /// `<tool>` blocks of `key: value` lines, one per event (the default).
        case xml
        /// One JSON object per event, one per line.
        case json
    }

    /// The intent that ends the step; its other fields (`answer`) are the step's output.
    public static let doneIntent = "done"
    /// The built-in intent that asks a person a question (`question`) and waits for the answer.
    public static let humanIntent = "request_human_input"

    /// The BAML function asked for each turn: it returns one of several classes, each with an
    /// `intent` literal naming a tool, `done` or `request_human_input`.
    public var function: String
    /// The registry tools the model may call.
    public var tools: [String]
    /// At most this many turns (model decisions) before the step gives up.
    public var maxTurns: Int
    /// Policy by tool; tools not named are `auto`.
    public var policy: [String: Policy]
    /// After this many errors in a row the step asks a person how to go on.
    public var maxErrors: Int
    public var serializer: Serializer

    public init(function: String, tools: [String], maxTurns: Int = 8, policy: [String: Policy] = [:], maxErrors: Int = 3,
                serializer: Serializer = .xml) {
        self.function = function
        self.tools = tools
        self.maxTurns = maxTurns
        self.policy = policy
        self.maxErrors = maxErrors
        self.serializer = serializer
    }

    /// The name an agent step's attempts are recorded under (`agent:NextStep`), in place of a tool.
    public var toolName: String { Self.toolPrefix + function }

    static let toolPrefix = "agent:"

    /// The policy for calls of `tool`.
    public func policy(for tool: String) -> Policy { policy[tool] ?? .auto }
}
