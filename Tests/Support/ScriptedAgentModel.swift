import AgentCore
import Synchronization

/// A model that answers from a script, one reply per turn, and keeps every prompt it was shown.
public final class ScriptedAgentModel: AgentModel {
    public enum Reply: Sendable {
        case call(String, Value)
        case unreadable
        case unavailable
    }

    private let state: Mutex<(script: [Reply], prompts: [String])>

    public init(_ script: [Reply]) { state = Mutex((script, [])) }

    /// The thread shown in each turn, in order.
    public var prompts: [String] { state.withLock { $0.prompts } }

    public func nextStep(function: String, inputs: [String: Value], thread: String) async throws(AgentModelError) -> AgentDecision {
        let reply = state.withLock { state -> Reply? in
            state.prompts.append(thread)
            return state.script.isEmpty ? nil : state.script.removeFirst()
        }
        switch reply {
        case .call(let intent, let arguments)?:
            return AgentDecision(intent: intent, arguments: arguments, llm: [["model": "scripted", "input_tokens": 10]])
        case .unreadable?: throw AgentModelError(.unreadable, "the answer could not be read as NextStep")
        case .unavailable?: throw AgentModelError(.unavailable, "HTTP 429 after 3 attempts")
        case nil: throw AgentModelError(.unavailable, "the script has ended")
        }
    }
}
