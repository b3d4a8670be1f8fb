import Foundation
import Tracing

/// The driver: the impure half of the engine. It folds a run's events into state, asks the
/// `Scheduler` what to do, executes tools at the edge, and appends each batch of results in one
/// transaction before acting on it. It keeps nothing of its own: stop it anywhere, and
/// `drive(runID:)` in any process picks the run up from its events.
public struct WorkflowEngine: Sendable {
    public let store: any RunStore
    public let registry: ToolRegistry
    /// How often a waiting driver looks for events appended by others (pause, cancel).
    public var pollInterval: Duration = .milliseconds(250)
    /// Steps whose tool estimates at most this many seconds, when they are the only step ready,
    /// run on the driver's own task; longer ones run as child tasks that pause and cancel reach.
    public var inlineThreshold: Double = 0.05
    /// The time events are stamped with, and how the engine and its workers wait.
    public let clock: any EngineClock
    /// Where the ids of runs started without one come from.
    public let ids: any RunIDSource
    /// The model agent steps ask; without one they take their fallback.
    public var agentModel: (any AgentModel)?

    /// - Parameters:
    ///   - store: where runs' events are kept.
    ///   - registry: the tools steps may run.
    ///   - clock: the time and the waiting (a manual clock in tests).
    ///   - ids: new runs' ids (a counter in tests).
    ///   - agentModel: the model agent steps ask (nil: they take their fallback).
    public init(store: any RunStore, registry: ToolRegistry, clock: any EngineClock = SystemClock(), ids: any RunIDSource = RandomRunIDs(),
                agentModel: (any AgentModel)? = nil) {
        self.store = store
        self.registry = registry
        self.clock = clock
        self.ids = ids
        self.agentModel = agentModel
    }

    private func now() -> Date { clock.now() }

    /// Called with every event as it is durably recorded.
    public typealias Observer = @Sendable (RunEvent) -> Void

    /// Starts a run and drives it until it completes, fails, is cancelled, pauses or waits.
    /// - Parameters:
    ///   - definition: the validated workflow.
    ///   - inputs: the bound inputs (`WorkflowDefinition.bindInputs`).
    ///   - runID: the id to give the run (default: a new one from `ids`).
    ///   - observer: sees each recorded event.
    /// - Returns: the run's state when the driver stopped.
    public func run(_ definition: WorkflowDefinition, inputs: [String: Value], runID: String? = nil,
                    observer: Observer? = nil) async throws -> RunState {
        let started = EventKind.runStarted(workflow: definition.name, file: definition.file, source: definition.source, inputs: inputs)
        return try await execute(definition, state: RunState(runID: runID ?? newRunID()), staged: [started], observer: observer)
    }

    /// Records a new run without executing it (for another process or worker to drive).
    /// - Parameter scheduledBy: the schedule tick that starts it, recorded with it (`RunScheduled`).
    /// - Returns: the run id (`runID`, or a new one from `ids`).
    public func start(_ definition: WorkflowDefinition, inputs: [String: Value], runID: String? = nil,
                      scheduledBy origin: ScheduleOrigin? = nil) async throws -> String {
        let runID = runID ?? newRunID()
        let started = EventKind.runStarted(workflow: definition.name, file: definition.file, source: definition.source, inputs: inputs)
        let scheduled = origin.map { [EventKind.runScheduled(schedule: $0.schedule, tick: $0.tick)] } ?? []
        _ = try await store.append(runID: runID, expectedVersion: 0, events: [started] + scheduled, timestamp: now())
        return runID
    }

    /// A new run's id, from `ids`.
    public func newRunID() -> String { ids.next(at: now()) }

    /// Drives an existing run from its events: after a crash, a resume, or a `start`.
    /// Completed steps are not executed again; an attempt that was running when its process
    /// died is executed again with the same attempt number and idempotency key.
    /// - Parameters:
    ///   - runID: the run.
    ///   - observer: sees each recorded event.
    public func drive(runID: String, observer: Observer? = nil) async throws -> RunState {
        let state = try await store.state(of: runID)
        let definition = try definition(of: state)
        return try await execute(definition, state: state, staged: [], observer: observer)
    }

    /// The workflow a run started with, reloaded from the source recorded in its events.
    /// - Throws: `WorkflowValidationError` when the tools it needs are not registered here.
    public func definition(of state: RunState) throws -> WorkflowDefinition {
        try WorkflowLoader.load(source: state.workflowSource, file: state.workflowFile, registry: registry)
    }

    // MARK: Control

    /// Pauses a running run: no new step starts; steps already executing finish and are recorded.
    public func pause(runID: String, reason: String = "paused by request") async throws -> RunState {
        try await control(runID, allowed: [.running, .waiting], event: .runPaused(reason: reason))
    }

    /// Marks a paused run as running again (or a run waiting for a person whose answer is overdue,
    /// so that the step's fallback applies). Call `drive(runID:)` to execute it.
    public func resume(runID: String) async throws -> RunState {
        let state = try await store.state(of: runID)
        if state.status == .waiting {
            let waiting = state.steps.filter { $0.value.status == .waiting && $0.value.human?.response == nil }
            if let (name, step) = waiting.first(where: { ($0.value.human?.deadline).map { $0 > now() } ?? true }) {
                throw EngineError.awaitingHuman(runID: runID, step: name, deadline: step.human?.deadline)
            }
        }
        return try await control(runID, allowed: [.paused, .waiting], event: .runResumed)
    }

    /// Records a person's answer to the request of a waiting step. Call `drive(runID:)` to continue.
    /// - Parameters:
    ///   - runID: the run.
    ///   - step: the step asking, or nil for the run's only waiting step.
    ///   - response: the answer (what the tool reads from `ToolContext.humanResponse`).
    ///   - respondent: who answered, for the record.
    public func respond(runID: String, step: String? = nil, response: Value, respondent: String) async throws -> RunState {
        while true {
            var state = try await store.state(of: runID)
            let waiting = state.steps.filter { $0.value.status == .waiting && $0.value.human?.response == nil }.map(\.key).sorted()
            guard let name = step ?? waiting.first, waiting.contains(name), step != nil || waiting.count == 1 else {
                throw EngineError.noPendingRequest(runID: runID, step: step, waiting: waiting)
            }
            do {
                let event = EventKind.humanInputReceived(step: name, response: response, respondent: respondent)
                for stored in try await store.append(runID: runID, expectedVersion: state.version, events: [event], timestamp: now()) {
                    state.apply(stored)
                }
                return state
            } catch RunStoreError.conflict {
                continue
            }
        }
    }

    /// Cancels a run that has not ended. A driver executing it stops its steps.
    public func cancel(runID: String, reason: String = "cancelled by request") async throws -> RunState {
        try await control(runID, allowed: [.pending, .running, .waiting, .paused], event: .runCancelled(reason: reason))
    }

    private func control(_ runID: String, allowed: Set<RunStatus>, event: EventKind) async throws -> RunState {
        while true {
            var state = try await store.state(of: runID)
            guard allowed.contains(state.status) else {
                throw EngineError.invalidTransition(runID: runID, status: state.status, action: event.typeName)
            }
            do {
                for stored in try await store.append(runID: runID, expectedVersion: state.version, events: [event], timestamp: now()) {
                    state.apply(stored)
                }
                return state
            } catch RunStoreError.conflict {
                continue
            }
        }
    }

    // MARK: The loop

    private enum ChildResult: Sendable {
        case step(StepExecution, EventKind)
        case tick
    }

    private func execute(_ definition: WorkflowDefinition, state initial: RunState, staged initialStaged: [EventKind],
                         observer: Observer?) async throws -> RunState {
        EngineMetrics.activeWorkflows.increment()
        defer { EngineMetrics.activeWorkflows.decrement() }
        return try await withSpan("run \(definition.name)", context: EngineTracing.context(ofRun: initial.runID)) { span in
            span.attributes["catalynx.run_id"] = initial.runID
            span.attributes["catalynx.workflow"] = definition.name
            let final = try await withRunSlot(definition, state: initial, staged: initialStaged, observer: observer) { state, staged in
                try await loop(definition, state: state, staged: staged, observer: observer)
            }
            span.attributes["catalynx.status"] = final.status.rawValue
            if final.status == .failed { span.setStatus(SpanStatus(code: .error, message: final.failureReason)) }
            if final.status.isTerminal && !initial.status.isTerminal { EngineMetrics.workflowFinished(final.workflowName, status: final.status) }
            return final
        }
    }

    /// Drives the run's steps, giving back at the end whatever concurrency slots are still held.
    private func loop(_ definition: WorkflowDefinition, state: RunState, staged: [EventKind], observer: Observer?) async throws -> RunState {
        let book = SlotBook()
        do {
            let final = try await driveSteps(definition, state: state, staged: staged, observer: observer, book: book)
            await release(book.takeAll())
            return final
        } catch {
            await release(book.takeAll())
            throw error
        }
    }

    /// The loop: decide, record, execute, until the run stops or waits. `book` holds the concurrency
    /// slots taken for executions until their results are recorded.
    private func driveSteps(_ definition: WorkflowDefinition, state initial: RunState, staged initialStaged: [EventKind],
                            observer: Observer?, book: SlotBook) async throws -> RunState {
        var state = initial
        var staged = initialStaged
        return try await withThrowingTaskGroup(of: ChildResult.self) { group in
            var inFlight: Set<String> = []
            var ticking = false
            while true {
                // Decide to a fixed point on a working copy, staging events and launches.
                var working = state
                var batch: [EventKind] = []
                var launches: [StepExecution] = []
                var wakeAt: Date?
                var held: Set<String> = []
                var slots: [String: HeldSlot] = [:]
                let decidedAt = now()
                func stage(_ kind: EventKind) {
                    batch.append(kind)
                    working.apply(RunEvent(runID: state.runID, sequence: working.version + 1, timestamp: decidedAt, kind: kind))
                }
                for kind in staged { stage(kind) }
                var progressed = true
                while progressed {
                    progressed = false
                    let busy = inFlight.union(launches.map(\.step))
                    for command in Scheduler.decide(definition, working, now: decidedAt, inFlight: busy, held: held) {
                        switch command {
                        case .record(let kind):
                            stage(kind)
                            progressed = true
                        case .execute(let execution):
                            if let step = definition.step(named: execution.step) {
                                switch try await admit(execution, step: step, state: working, definition: definition, now: decidedAt) {
                                case .refused(let reason, let retryAt):
                                    held.insert(execution.step)
                                    wakeAt = min(wakeAt ?? retryAt, retryAt)
                                    if working.step(execution.step).throttled != reason { stage(.throttled(step: execution.step, reason: reason)) }
                                    progressed = true
                                    continue
                                case .admitted(let slot):
                                    slots[execution.step] = slot
                                    if let slot { book.hold(slot, for: execution.step) }
                                }
                            }
                            launches.append(execution)
                            if execution.startsAttempt {
                                stage(.stepStarted(step: execution.step, attempt: execution.attempt, tool: execution.tool,
                                                   inputs: execution.inputs, resumed: execution.resumed))
                            }
                            progressed = true
                        case .wake(let date):
                            wakeAt = min(wakeAt ?? date, date)
                        }
                    }
                }

                if !batch.isEmpty {
                    do {
                        let stored = try await store.append(runID: state.runID, expectedVersion: state.version, events: batch, timestamp: now())
                        for event in stored {
                            state.apply(event)
                            observer?(event)
                        }
                        staged = []
                        // Results now on record give their steps' slots back.
                        let launched = Set(launches.map(\.step))
                        await release(book.take { !inFlight.contains($0) && !launched.contains($0) })
                    } catch RunStoreError.conflict {
                        await release(book.take { slots[$0] != nil })
                        // Someone else wrote (a pause, a cancel, another driver): re-read and decide again,
                        // keeping only the results of our own executions that are still news.
                        state = try await store.state(of: state.runID)
                        staged = staged.filter { kind in
                            guard let step = kind.stepName else { return false }
                            return state.step(step).status == .running
                        }
                        continue
                    }
                }

                let runID = state.runID
                // A lone quick step runs inline: no task hand-off for work shorter than the hand-off.
                if launches.count == 1, inFlight.isEmpty, state.status == .running, let execution = launches.first,
                   (registry[execution.tool]?.estimatedDuration ?? .infinity) <= inlineThreshold,
                   definition.step(named: execution.step)?.timeout == nil {
                    staged.append(await holding(slots[execution.step]) { await perform(execution, definition: definition, runID: runID) })
                    continue
                }
                for execution in launches {
                    inFlight.insert(execution.step)
                    let slot = slots[execution.step]
                    group.addTask { .step(execution, await self.holding(slot) { await self.perform(execution, definition: definition, runID: runID) }) }
                }

                if state.status != .running {
                    if state.status == .cancelled || state.status == .failed { group.cancelAll() }
                    if inFlight.isEmpty || state.status.isTerminal {
                        group.cancelAll()
                        return state
                    }
                } else if inFlight.isEmpty && wakeAt == nil {
                    group.cancelAll()  // nothing executing, nothing ready: waiting on something outside
                    return state
                }

                if !ticking {
                    let interval = pollInterval
                    let wait: Duration = wakeAt.map { date in
                        let seconds = max(0, date.timeIntervalSince(now()))
                        return min(interval, .milliseconds(Int64(seconds * 1000) + 1))
                    } ?? interval
                    ticking = true
                    group.addTask { [clock] in
                        try? await clock.sleep(for: wait)
                        return .tick
                    }
                }
                guard let next = try await group.next() else { return state }
                switch next {
                case .step(let execution, let result):
                    inFlight.remove(execution.step)
                    staged.append(result)
                case .tick:
                    ticking = false
                    let newer = try await store.events(runID: state.runID, after: state.version)
                    for event in newer {
                        state.apply(event)
                        observer?(event)
                    }
                }
            }
        }
    }

    /// Executes one attempt (or agent turn) in its span and turns its outcome into the event that records it.
    private func perform(_ execution: StepExecution, definition: WorkflowDefinition, runID: String) async -> EventKind {
        let name = switch execution.agent {
        case .decide(let turn, _)?: "step \(execution.step) turn \(turn): the model decides"
        case .call(let turn)?: "step \(execution.step) turn \(turn): \(execution.tool)"
        case nil: "step \(execution.step)"
        }
        let span = startSpan(name)
        defer { span.end() }
        span.attributes["catalynx.run_id"] = runID
        span.attributes["catalynx.step"] = execution.step
        span.attributes["catalynx.tool"] = execution.tool
        span.attributes["catalynx.attempt"] = execution.attempt
        let result = await ServiceContext.withValue(span.context) { await performAttempt(execution, definition: definition, runID: runID) }
        span.attributes["catalynx.outcome"] = result.typeName
        switch result {
        case .stepFailed(_, let error): span.setStatus(SpanStatus(code: .error, message: "\(error.type): \(error.message)"))
        case .agentObserved(_, _, let observation) where observation.isError: span.setStatus(SpanStatus(code: .error, message: observation.errorDescription))
        default: break
        }
        return result
    }

    private func performAttempt(_ execution: StepExecution, definition: WorkflowDefinition, runID: String) async -> EventKind {
        let step = definition.step(named: execution.step)
        if let action = execution.agent, let step, let spec = step.agent {
            return await performAgent(action, execution, step: step, spec: spec, runID: runID)
        }
        let context = ToolContext(runID: runID, stepName: execution.step, attempt: execution.attempt, humanResponse: execution.humanResponse)
        func failure(_ type: String, _ message: String, retryable: Bool) -> EventKind {
            .stepFailed(step: execution.step, error: ErrorContext(
                type: type, message: message, tool: execution.tool, attempt: execution.attempt, inputs: execution.inputs,
                retryable: retryable, strategiesTried: []))
        }
        guard let tool = registry[execution.tool] else {
            return failure("UnknownTool", "tool '\(execution.tool)' is not registered in this process", retryable: false)
        }
        let started = now()
        let result = await attempt(tool, execution, step: step, context: context) { failure($0, $1, retryable: $2) }
        let status = switch result {
        case .stepSucceeded: "success"
        case .humanInputRequested: "waiting"
        default: "failure"
        }
        EngineMetrics.toolExecuted(execution.tool, status: status, duration: clock.elapsed(since: started))
        return result
    }

    private func attempt(_ tool: AnyTool, _ execution: StepExecution, step: WorkflowStep?, context: ToolContext,
                         fail: (String, String, Bool) -> EventKind) async -> EventKind {
        func failure(_ type: String, _ message: String, retryable: Bool) -> EventKind { fail(type, message, retryable) }
        do {
            let output = try await invoke(tool, execution.inputs, context: context, timeout: step?.timeout)
            for alias in step?.outputs ?? [] where output.value(atPath: alias.path) == nil {
                let fields = output.fieldNames
                return failure("MissingOutput",
                               "output '\(alias.alias)' names '\(alias.path.joined(separator: "."))', which the tool did not return"
                                   + (fields.isEmpty ? "" : " (it returned: \(fields.joined(separator: ", ")))"),
                               retryable: false)
            }
            return .stepSucceeded(step: execution.step, attempt: execution.attempt, output: output, recovery: nil)
        } catch let request as HumanInputRequest {
            return .humanInputRequested(step: execution.step, attempt: execution.attempt, request: request.request,
                                        deadline: request.timeout.map { now().addingTimeInterval($0) }, fallback: request.fallback.rawValue)
        } catch let error as ToolError {
            return failure(error.type, error.message, retryable: error.retryable)
        } catch is TimeoutError {
            return failure("Timeout", "the attempt took longer than \(step?.timeout ?? 0) s", retryable: true)
        } catch is CancellationError {
            return failure("Cancelled", "the attempt was cancelled", retryable: true)
        } catch {
            return failure(String(describing: type(of: error)), String(describing: error), retryable: true)
        }
    }

    struct TimeoutError: Error {}

    /// Runs a tool once, within `timeout` seconds when there is one (a step's attempt, an agent's call).
    func invoke(_ tool: AnyTool, _ inputs: Value, context: ToolContext, timeout: Double?) async throws -> Value {
        guard let timeout else { return try await tool.invoke(inputs, context: context) }
        return try await withTimeout(seconds: timeout) { try await tool.invoke(inputs, context: context) }
    }

    func withTimeout(seconds: Double, _ body: @escaping @Sendable () async throws -> Value) async throws -> Value {
        try await withThrowingTaskGroup(of: Value?.self) { group in
            group.addTask { try await body() }
            group.addTask { [clock] in
                try await clock.sleep(for: .milliseconds(Int64(seconds * 1000)))
                return nil
            }
            defer { group.cancelAll() }
            guard let first = try await group.next(), let value = first else { throw TimeoutError() }
            return value
        }
    }
}

/// Errors of the engine's control operations.
public enum EngineError: Error, Sendable, CustomStringConvertible {
    case invalidTransition(runID: String, status: RunStatus, action: String)
    /// The run waits for a person's answer that is not overdue.
    case awaitingHuman(runID: String, step: String, deadline: Date?)
    /// There is no open request to answer (or several and none was named).
    case noPendingRequest(runID: String, step: String?, waiting: [String])
    /// A fork names a step that never began in the run (`begun`: those that did, in order).
    case forkPointUnknown(runID: String, step: String, begun: [String])

    public var description: String {
        switch self {
        case .invalidTransition(let runID, let status, let action):
            "run \(runID) is \(status.rawValue); \(action) does not apply"
        case .awaitingHuman(let runID, let step, let deadline):
            "run \(runID) waits for an answer to step '\(step)'" + (deadline.map { " until \($0)" } ?? "") + "; answer it with `catalynx approvals respond \(runID)`"
        case .noPendingRequest(let runID, let step, let waiting):
            if waiting.isEmpty { "run \(runID) has no question waiting for an answer" }
            else if let step { "step '\(step)' of run \(runID) is not waiting for an answer (waiting: \(waiting.joined(separator: ", ")))" }
            else { "run \(runID) waits on several steps (\(waiting.joined(separator: ", "))); name one with --step" }
        case .forkPointUnknown(let runID, let step, let begun):
            "step '\(step)' never began in run \(runID), so there is nothing to fork from"
                + (begun.isEmpty ? "" : "; steps that began: \(begun.joined(separator: ", "))")
        }
    }
}

extension Value {
    /// The member names of an object, sorted; empty for other values.
    public var fieldNames: [String] {
        if case .object(let members) = self { return members.keys.sorted() }
        return []
    }
}
