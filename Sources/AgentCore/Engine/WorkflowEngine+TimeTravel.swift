import Foundation

extension WorkflowEngine {
    /// Makes a new run from another's history: its log copies the original's events up to the first
    /// event of `step` (that step and all that came after it run again), with the inputs changed by
    /// `inputs`, and ends with `RunForked` (the lineage). Nothing is executed: drive the new run.
    /// Steps that were executing when `step` began are executed again in the fork, as after a crash.
    /// - Parameters:
    ///   - runID: the original run.
    ///   - step: the step to go on from; it must have begun in the original.
    ///   - inputs: inputs to replace (bound and checked as at a start); the others stay as they were.
    /// - Returns: the new run's id.
    /// - Throws: `EngineError.forkPointUnknown` when the step never began, `InputBindingError`
    ///   for bad inputs, `WorkflowValidationError` when the workflow no longer validates.
    public func fork(runID: String, from step: String, inputs changed: [String: Value] = [:]) async throws -> String {
        let events = try await store.events(runID: runID, after: 0)
        let original = RunState(runID: runID, events: events)
        guard let cut = events.firstIndex(where: { $0.kind.stepName == step }) else {
            var begun: [String] = []
            for name in events.compactMap(\.kind.stepName) where !begun.contains(name) { begun.append(name) }
            throw EngineError.forkPointUnknown(runID: runID, step: step, begun: begun)
        }
        let definition = try definition(of: original)
        let inputs = try definition.bindInputs(original.inputs.merging(changed) { _, new in new })
        // The run's own controls (pause, resume) and what started it are not history to copy: the fork starts running.
        // The copied events keep their times, so the fork's timeline shows how long its copied steps took.
        let copied = events[..<cut].filter { event in
            switch event.kind {
            case .runStarted, .runPaused, .runResumed, .runScheduled: false
            default: true
            }
        }
        let forkID = newRunID()
        let started = EventKind.runStarted(workflow: original.workflowName, file: original.workflowFile, source: original.workflowSource,
                                           inputs: inputs)
        let now = clock.now()
        _ = try await store.append(runID: forkID, expectedVersion: 0, events: [started] + copied.map(\.kind) + [.runForked(from: runID, step: step)],
                                   timestamps: [now] + copied.map(\.timestamp) + [now])
        return forkID
    }
}
