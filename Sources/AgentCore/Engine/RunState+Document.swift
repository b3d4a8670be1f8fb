import Foundation

extension RunState {
    /// The run as one JSON object: id, status, inputs, each step's status and output, output
    /// aliases, gates, and any open request to a person. What `runs show --format json` and the API return.
    public func document(definition: WorkflowDefinition?) -> Value {
        let state = self
        let order = definition?.steps.map(\.name) ?? state.steps.keys.sorted()
        var steps: [String: Value] = [:]
        var outputs: [String: Value] = [:]
        for name in order {
            let step = state.step(name)
            var object: [String: Value] = ["status": .string(step.status.rawValue), "attempt": .int(step.attempt), "executions": .int(step.executions)]
            if let output = step.output { object["output"] = output }
            if let reason = step.skipReason { object["reason"] = .string(reason) }
            if let reason = step.throttled, step.status != .succeeded { object["waits"] = .string(reason) }
            if let thread = step.agent { object["turns"] = .int(thread.turns) }
            if step.abandoned { object["abandoned"] = true }
            if !step.errors.isEmpty { object["errors"] = .array(step.errors.map(\.value)) }
            if !step.strategiesTried.isEmpty { object["recovery"] = .array(step.strategiesTried.map(Value.string)) }
            if let start = step.startedAt, let end = step.finishedAt { object["duration_ms"] = .double((end.timeIntervalSince(start) * 1000).rounded()) }
            steps[name] = .object(object)
        }
        if let definition {
            for step in definition.steps {
                for alias in step.outputs { outputs[alias.alias] = state.resolve([alias.alias], in: definition) ?? .null }
            }
        }
        var gates: [String: Value] = [:]
        for (name, gate) in state.gates {
            gates[name] = ["outcome": .string(gate.outcome.rawValue), "action": .string(gate.action), "detail": .string(gate.detail)]
        }
        var object: [String: Value] = [
            "run_id": .string(state.runID), "workflow": .string(state.workflowName), "status": .string(state.status.rawValue),
            "inputs": .object(state.inputs), "steps": .object(steps), "outputs": .object(outputs), "quality_gates": .object(gates),
            "consecutive_failures": .int(state.consecutiveFailures), "version": .int(state.version),
        ]
        if let reason = state.failureReason { object["error"] = .string(reason) }
        if let reason = state.pauseReason { object["pause_reason"] = .string(reason) }
        if let reason = state.throttled, !state.status.isTerminal { object["waits"] = .string(reason) }
        if let origin = state.forkedFrom { object["forked_from"] = ["run_id": .string(origin.run), "step": .string(origin.step)] }
        if let origin = state.scheduledBy { object["scheduled_by"] = ["schedule": .string(origin.schedule), "tick": .string(origin.tick.formatted(.iso8601))] }
        let waiting = state.steps.filter { $0.value.status == .waiting && $0.value.human?.response == nil }
        if !waiting.isEmpty {
            object["waiting_for"] = .array(waiting.sorted { $0.key < $1.key }.map { name, step in
                ["step": .string(name), "request": step.human?.request ?? .null,
                 "deadline": step.human?.deadline.map { .double($0.timeIntervalSince1970) } ?? .null]
            })
        }
        return .object(object)
    }
}
