extension WorkflowEngine {
    /// Takes one turn of an agent step and returns the event that records it: the model's
    /// decision (or why there is none), or what came of executing the call it chose.
    func performAgent(_ action: AgentAction, _ execution: StepExecution, step: WorkflowStep, spec: AgentSpec, runID: String) async -> EventKind {
        func stepFailure(_ error: AgentModelError, retryable: Bool) -> EventKind {
            .stepFailed(step: step.name, error: ErrorContext(
                type: error.kind.rawValue, message: error.message, tool: spec.toolName, attempt: execution.attempt,
                inputs: execution.inputs, retryable: retryable, strategiesTried: []))
        }
        switch action {
        case .decide(let turn, let prompt):
            guard let agentModel else {
                return stepFailure(AgentModelError(.notConfigured, "no model is configured for agent steps"), retryable: false)
            }
            do {
                let decision = try await agentModel.nextStep(function: spec.function, inputs: execution.inputs.objectValue ?? [:], thread: prompt)
                return .agentDecided(step: step.name, turn: turn, intent: decision.intent, arguments: decision.arguments, llm: decision.llm)
            } catch {
                switch error.kind {
                case .unreadable:
                    return .agentObserved(step: step.name, turn: turn, observation: AgentObservation(
                        source: .model, errorType: error.kind.rawValue, message: error.message))
                case .unavailable: return stepFailure(error, retryable: true)
                case .notConfigured, .invalidFunction: return stepFailure(error, retryable: false)
                }
            }
        case .call(let turn):
            let observation = await call(execution, runID: runID, turn: turn, timeout: step.timeout)
            return .agentObserved(step: step.name, turn: turn, observation: observation)
        }
    }

    /// Executes the tool the model chose; its result or error is what the model sees next.
    private func call(_ execution: StepExecution, runID: String, turn: Int, timeout: Double?) async -> AgentObservation {
        func failed(_ type: String, _ message: String) -> AgentObservation {
            AgentObservation(source: .tool, tool: execution.tool, inputs: execution.inputs, errorType: type, message: message)
        }
        guard let tool = registry[execution.tool] else {
            return failed("UnknownTool", "tool '\(execution.tool)' is not registered in this process")
        }
        let context = ToolContext(runID: runID, stepName: execution.step, attempt: execution.attempt, turn: turn)
        let started = clock.now()
        let observation: AgentObservation
        do {
            let output = try await invoke(tool, execution.inputs, context: context, timeout: timeout)
            observation = AgentObservation(source: .tool, tool: execution.tool, inputs: execution.inputs, output: output)
        } catch is HumanInputRequest {
            observation = failed("Unsupported", "the tool asked for a person, which a tool called by an agent cannot do; use request_human_input")
        } catch let error as ToolError {
            observation = failed(error.type, error.message)
        } catch is TimeoutError {
            observation = failed("Timeout", "the call took longer than \(timeout ?? 0) s")
        } catch {
            observation = failed(String(describing: type(of: error)), String(describing: error))
        }
        EngineMetrics.toolExecuted(execution.tool, status: observation.isError ? "failure" : "success", duration: clock.elapsed(since: started))
        return observation
    }
}
