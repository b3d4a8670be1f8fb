import Foundation

/// What the engine should do next, as decided by `Scheduler.decide`.
public enum Command: Sendable, Hashable {
    /// Record an event decided purely from the state (a skip, a gate, a retry, the run's end).
    case record(EventKind)
    /// Run one attempt of a step's tool.
    case execute(StepExecution)
    /// Nothing is ready before this time (a retry back-off).
    case wake(at: Date)
}

/// One attempt of a step, ready to run.
public struct StepExecution: Sendable, Hashable {
    public var step: String
    public var attempt: Int
    public var tool: String
    public var inputs: Value
    /// Whether this re-runs an attempt whose process died mid-step.
    public var resumed: Bool
    /// A person's answer to the step's request, when it runs again after one.
    public var humanResponse: Value? = nil
    /// For an agent step: the turn to take (ask the model, or execute its call).
    public var agent: AgentAction? = nil

    /// Whether executing it begins an attempt (`StepStarted`); an agent step's turns go on within one.
    public var startsAttempt: Bool { agent == nil }
}

/// What an agent step does next, within its running attempt.
public enum AgentAction: Sendable, Hashable {
    /// Ask the model for turn `turn`, showing it `prompt` (the thread, serialized).
    case decide(turn: Int, prompt: String)
    /// Execute the call the model chose in turn `turn` (the execution's tool and inputs).
    case call(turn: Int)
}

/// The pure scheduling half of the engine: given a workflow and a run's state, what happens next.
public enum Scheduler {
    /// Decides the next commands. Pure: no I/O, no clock (the time is a parameter).
    /// - Parameters:
    ///   - definition: the workflow the run executes.
    ///   - state: the run's state, folded from its events.
    ///   - now: the current time, for retry back-offs.
    ///   - inFlight: steps whose attempt is executing in this process right now. A running step
    ///     not among them was interrupted (its process died) and is executed again.
    ///   - held: steps that may not start now (their concurrency slot or rate window is taken).
    /// - Returns: events to record, steps to execute, or a time to wake; empty when there is
    ///   nothing to do until an in-flight step ends.
    public static func decide(_ definition: WorkflowDefinition, _ state: RunState, now: Date, inFlight: Set<String>,
                              held: Set<String> = []) -> [Command] {
        guard state.status == .running else { return [] }
        var commands: [Command] = []

        // Failures first: each unresolved failure gets its recovery, or fails the run.
        for step in definition.steps {
            let current = state.step(step.name)
            guard current.status == .failed, !current.failureResolved, let error = current.errors.last else { continue }
            let recovery = recover(step, current, error, now: now)
            commands.append(.record(recovery))
            if case .runFailed = recovery { return commands }
        }

        // Quality gates, as soon as every value they reference exists.
        for gate in definition.qualityGates where state.gates[gate.name] == nil {
            guard let resolved = try? gate.condition.evaluate({ state.resolve($0, in: definition) }) else { continue }
            let passed = resolved.isTruthy
            let detail = describe(gate.condition, state, definition)
            commands.append(.record(.gateEvaluated(gate: gate.name, outcome: passed ? .passed : .failed,
                                                   action: gate.failureAction.rawValue, detail: detail)))
            if !passed, gate.failureAction == .failRun {
                commands.append(.record(.runFailed(reason: "quality gate '\(gate.name)' failed: \(detail)")))
                return commands
            }
        }

        // Steps whose turn has come.
        var slots = definition.maxParallel - inFlight.count
        var wakeAt: Date?
        for step in definition.steps where !held.contains(step.name) {
            let current = state.step(step.name)
            switch current.status {
            case .pending:
                let dependencies = step.dependsOn.map { ($0, state.step($0)) }
                if let deadEnd = dependencies.first(where: { $0.1.isDeadEnd }) {
                    let why = deadEnd.1.skipReason.map { ": \($0)" } ?? ""
                    commands.append(.record(.stepSkipped(step: step.name, reason: "depends on '\(deadEnd.0)', which did not complete\(why)")))
                    continue
                }
                guard dependencies.allSatisfy({ $0.1.status == .succeeded }) else { continue }
                if let condition = step.condition {
                    let resolve = { (path: [String]) in state.resolve(path, in: definition) }
                    guard let value = try? condition.evaluate(resolve), value.isTruthy else {
                        commands.append(.record(.stepSkipped(step: step.name,
                                                             reason: "condition is false: \(describe(condition, state, definition))")))
                        continue
                    }
                }
                if step.requiresApproval {
                    // Ask before running: the step waits with what it would do.
                    let command = start(step, attempt: 1, tool: step.tool, state, definition, now: now, resumed: false)
                    guard case .execute(let execution) = command else { commands.append(command); continue }
                    commands.append(.record(.humanInputRequested(step: step.name, attempt: 1, request: [
                        "kind": "approval", "question": .string("Run step '\(step.name)' (tool \(step.tool))?"),
                        "tool": .string(step.tool), "inputs": execution.inputs, "choices": ["approve", "reject"],
                    ], deadline: nil, fallback: HumanInputRequest.Fallback.fail.rawValue)))
                    continue
                }
                guard slots > 0 else { continue }
                if let spec = step.agent {
                    commands.append(beginAgent(step, spec, attempt: 1, state, definition, now: now))
                } else {
                    commands.append(start(step, attempt: 1, tool: step.tool, state, definition, now: now, resumed: false))
                }
                slots -= 1
            case .retrying where isAgentTurn(step, current):
                // After a person's answer or a retry delay, the agent's attempt goes on (its thread is kept).
                if let notBefore = current.notBefore, notBefore > now {
                    wakeAt = min(wakeAt ?? notBefore, notBefore)
                    continue
                }
                guard slots > 0, let spec = step.agent else { continue }
                commands.append(beginAgent(step, spec, attempt: current.attempt, state, definition, now: now))
                slots -= 1
            case .retrying:
                if let human = current.human, human.request["kind"] == "approval", human.response?["decision"] == "reject" {
                    let who = human.respondent.map { " by \($0)" } ?? ""
                    commands.append(.record(.stepSkipped(step: step.name, reason: "not approved\(who)")))
                    continue
                }
                if let notBefore = current.notBefore, notBefore > now {
                    wakeAt = min(wakeAt ?? notBefore, notBefore)
                    continue
                }
                guard slots > 0 else { continue }
                commands.append(start(step, attempt: current.attempt, tool: current.tool ?? step.tool, state, definition, now: now, resumed: false))
                slots -= 1
            case .waiting:
                // Nobody answered in time: the fallback the step asked for.
                guard let human = current.human, human.response == nil, let deadline = human.deadline, deadline <= now else { continue }
                if human.fallback == HumanInputRequest.Fallback.fail.rawValue {
                    commands.append(.record(.runFailed(reason: "nobody answered step '\(step.name)' by \(deadline)")))
                    return commands
                }
                commands.append(.record(.humanInputReceived(step: step.name, response: ["timed_out": true], respondent: "timeout")))
            case .running where !inFlight.contains(step.name) && isAgentTurn(step, current):
                guard slots > 0, let spec = step.agent else { continue }
                let command = continueAgent(step, spec, current)
                commands.append(command)
                if case .execute = command { slots -= 1 }
            case .running where !inFlight.contains(step.name):
                guard slots > 0 else { continue }
                commands.append(start(step, attempt: current.attempt, tool: current.tool ?? step.tool, state, definition, now: now, resumed: true))
                slots -= 1
            default:
                continue
            }
        }
        if !commands.isEmpty || !inFlight.isEmpty { return commands }
        if let wakeAt { return [.wake(at: wakeAt)] }

        // Nothing is running or ready: the run is over once every step is finished.
        guard definition.steps.allSatisfy({ state.step($0.name).isFinished }) else { return [] }
        for gate in definition.qualityGates where state.gates[gate.name] == nil {
            commands.append(.record(.gateEvaluated(gate: gate.name, outcome: .notEvaluated, action: gate.failureAction.rawValue,
                                                   detail: "not evaluated: \(missingValues(gate.condition, state, definition))")))
        }
        commands.append(.record(.runCompleted))
        return commands
    }

    /// The recovery for a step's latest failure: retry the same tool, move to the next
    /// alternative tool, record the fallback value, continue without the step, or fail the run.
    static func recover(_ step: WorkflowStep, _ current: StepState, _ error: ErrorContext, now: Date) -> EventKind {
        let chain = [step.tool] + step.onError.alternatives
        let tool = current.tool ?? step.tool
        let position = chain.firstIndex(of: tool) ?? 0
        if error.retryable, current.attemptsOnTool < step.retry.maxAttempts {
            let delay = step.retry.delay(beforeAttempt: current.attemptsOnTool + 1)
            return .stepRetryScheduled(step: step.name, attempt: current.attempt + 1, tool: tool,
                                       notBefore: now.addingTimeInterval(delay),
                                       strategy: "retry \(current.attemptsOnTool + 1)/\(step.retry.maxAttempts) of \(tool) after \(formatSeconds(delay))")
        }
        if position + 1 < chain.count {
            let next = chain[position + 1]
            return .stepRetryScheduled(step: step.name, attempt: current.attempt + 1, tool: next, notBefore: now,
                                       strategy: "alternative tool \(next)")
        }
        if let fallback = step.onError.fallback {
            return .stepSucceeded(step: step.name, attempt: current.attempt, output: fallback, recovery: "fallback data (\(error.type): \(error.message))")
        }
        if step.onError.continueRun {
            return .stepAbandoned(step: step.name, reason: "failed: \(error.type): \(error.message)")
        }
        let attempts = current.attempt == 1 ? "1 attempt" : "\(current.attempt) attempts"
        return .runFailed(reason: "step '\(step.name)' failed after \(attempts): \(error.type): \(error.message)")
    }

    static func start(_ step: WorkflowStep, attempt: Int, tool: String, _ state: RunState, _ definition: WorkflowDefinition,
                              now: Date, resumed: Bool) -> Command {
        var inputs: [String: Value] = [:]
        for (key, template) in step.inputs {
            do {
                inputs[key] = try template.resolve { state.resolve($0, in: definition) }
            } catch {
                let context = ErrorContext(type: "UnresolvedInput", message: "input '\(key)': \(error)", tool: tool, attempt: attempt,
                                           inputs: .object(inputs), retryable: false, strategiesTried: state.step(step.name).strategiesTried)
                return .record(.stepFailed(step: step.name, error: context))
            }
        }
        return .execute(StepExecution(step: step.name, attempt: attempt, tool: tool, inputs: .object(inputs), resumed: resumed,
                                      humanResponse: state.step(step.name).human?.response))
    }

    /// `data_quality.completeness_score (0.4) > 0.6`: the expression with its values.
    static func describe(_ expression: Expression, _ state: RunState, _ definition: WorkflowDefinition) -> String {
        switch expression {
        case .literal(let value): return value.stringValue.map { "'\($0)'" } ?? value.displayString
        case .reference(let path):
            let name = path.joined(separator: ".")
            return "\(name) (\(state.resolve(path, in: definition)?.displayString ?? "no value"))"
        case .not(let inner): return "not \(describe(inner, state, definition))"
        case .binary(let op, let lhs, let rhs):
            return "\(describe(lhs, state, definition)) \(op.rawValue) \(describe(rhs, state, definition))"
        }
    }

    private static func missingValues(_ expression: Expression, _ state: RunState, _ definition: WorkflowDefinition) -> String {
        let missing = expression.references.filter { state.resolve($0, in: definition) == nil }.map { $0.joined(separator: ".") }
        return missing.isEmpty ? "its values never became available" : "no value for \(missing.joined(separator: ", "))"
    }

    static func formatSeconds(_ seconds: Double) -> String {
        seconds < 1 ? "\(Int((seconds * 1000).rounded())) ms" : String(format: "%.1f s", seconds)
    }
}

extension RunState {
    /// The value a `{{ reference }}` names in this run: an output alias, a step's output, or a
    /// workflow input, followed by the rest of the path. `nil` when it does not exist (yet).
    public func resolve(_ path: [String], in definition: WorkflowDefinition) -> Value? {
        guard let head = path.first else { return nil }
        let rest = Array(path.dropFirst())
        if let provider = definition.step(providingAlias: head), let alias = provider.outputs.first(where: { $0.alias == head }) {
            guard let output = steps[provider.name]?.output, steps[provider.name]?.status == .succeeded else { return nil }
            return output.value(atPath: alias.path)?.value(atPath: rest)
        }
        if definition.step(named: head) != nil {
            guard let output = steps[head]?.output, steps[head]?.status == .succeeded else { return nil }
            return output.value(atPath: rest)
        }
        return inputs[head]?.value(atPath: rest)
    }
}
