import Foundation

extension Scheduler {
    /// Whether `step` runs as an agent now (it is one, and has not moved on to a fallback tool).
    static func isAgentTurn(_ step: WorkflowStep, _ current: StepState) -> Bool {
        step.agent != nil && (current.tool ?? step.tool) == step.tool
    }

    /// Begins (or, after a person's answer or a retry, begins again) an agent step's attempt.
    static func beginAgent(_ step: WorkflowStep, _ spec: AgentSpec, attempt: Int, _ state: RunState, _ definition: WorkflowDefinition,
                           now: Date) -> Command {
        let command = start(step, attempt: attempt, tool: spec.toolName, state, definition, now: now, resumed: false)
        guard case .execute(let execution) = command else { return command }
        return .record(.stepStarted(step: step.name, attempt: attempt, tool: spec.toolName, inputs: execution.inputs, resumed: false))
    }

    /// The next thing a running agent step does, from its thread: carry out the model's pending
    /// call (finish, ask a person, refuse, wait for approval, or execute it), escalate after too
    /// many errors, give up when the turns are spent, or ask the model for the next turn.
    static func continueAgent(_ step: WorkflowStep, _ spec: AgentSpec, _ current: StepState) -> Command {
        let thread = current.agent ?? AgentThread()
        let attempt = current.attempt
        let inputs = current.inputs ?? .object([:])
        if let call = thread.pending {
            func refuse(_ type: String, _ message: String) -> Command {
                .record(.agentObserved(step: step.name, turn: call.turn, observation: AgentObservation(
                    source: .policy, tool: call.intent, inputs: call.arguments, errorType: type, message: message)))
            }
            switch call.intent {
            case AgentSpec.doneIntent:
                var output = call.arguments.objectValue ?? ["answer": call.arguments]
                output["turns"] = output["turns"] ?? .int(thread.turns)
                if !thread.llm.isEmpty { output["llm"] = output["llm"] ?? .array(thread.llm) }
                return .record(.stepSucceeded(step: step.name, attempt: attempt, output: .object(output), recovery: nil))
            case AgentSpec.humanIntent:
                let question = call.arguments["question"]?.stringValue ?? call.arguments.displayString
                return .record(.humanInputRequested(step: step.name, attempt: attempt, request: [
                    "kind": .string(AgentRequestKind.question), "question": .string(question), "context": call.arguments, "turn": .int(call.turn),
                ], deadline: nil, fallback: HumanInputRequest.Fallback.fail.rawValue))
            case let tool where !spec.tools.contains(tool):
                let allowed = (spec.tools + [AgentSpec.doneIntent, AgentSpec.humanIntent]).joined(separator: ", ")
                return refuse("UnknownTool", "'\(tool)' is not a tool this step may call; it may call \(allowed)")
            case let tool:
                switch spec.policy(for: tool) {
                case .deny:
                    return refuse("Denied", "calls of \(tool) are denied by the step's policy")
                case .approve where !call.approved:
                    return .record(.humanInputRequested(step: step.name, attempt: attempt, request: [
                        "kind": .string(AgentRequestKind.approval), "question": .string("Let the agent call \(tool) with these inputs?"),
                        "tool": .string(tool), "inputs": call.arguments, "turn": .int(call.turn), "choices": ["approve", "reject"],
                    ], deadline: nil, fallback: HumanInputRequest.Fallback.fail.rawValue))
                case .auto, .approve:
                    return .execute(StepExecution(step: step.name, attempt: attempt, tool: tool, inputs: call.arguments, resumed: false,
                                                  agent: .call(turn: call.turn)))
                }
            }
        }
        if thread.consecutiveErrors >= spec.maxErrors {
            let errors = thread.recentErrors
            return .record(.humanInputRequested(step: step.name, attempt: attempt, request: [
                "kind": .string(AgentRequestKind.escalation),
                "question": .string("The agent of step '\(step.name)' made \(thread.consecutiveErrors) errors in a row. How should it go on?"),
                "errors": .array(errors.map(Value.string)),
            ], deadline: nil, fallback: HumanInputRequest.Fallback.fail.rawValue))
        }
        if thread.turns >= spec.maxTurns {
            return .record(.stepFailed(step: step.name, error: ErrorContext(
                type: "AgentTurnBudget", message: "the agent used its \(spec.maxTurns) turns without an answer", tool: spec.toolName,
                attempt: attempt, inputs: inputs, retryable: false, strategiesTried: current.strategiesTried)))
        }
        let prompt = thread.prompt(inputs: inputs, serializer: spec.serializer)
        return .execute(StepExecution(step: step.name, attempt: attempt, tool: spec.toolName, inputs: inputs, resumed: false,
                                      agent: .decide(turn: thread.turns + 1, prompt: prompt)))
    }
}
