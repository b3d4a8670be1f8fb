import Foundation
import Logging
import ServiceLifecycle

/// Fires schedules: at each due tick it starts the schedule's workflow, exactly once however many
/// processes (`serve`, every `worker`) tick the same store, because a tick's run has a fixed id
/// (`Schedule.runID(for:)`) and the store creates a run once. Ticks missed while no process ran
/// follow the schedule's catch-up policy. Time comes from the engine's clock, so a test moves
/// through a week of ticks without waiting.
///
/// A `Service`: it sleeps until the next tick (or `idle`, to see schedules others add) and stops on
/// graceful shutdown.
public struct ScheduleTicker: Service, Sendable {
    /// What one pass did with a tick.
    public struct Fired: Sendable, Hashable {
        public enum Outcome: Sendable, Hashable {
            /// This process started the run.
            case started
            /// Another process had started it.
            case startedElsewhere
            /// The run could not start (its workflow is gone or no longer takes the inputs); the tick is dealt with.
            case failed(String)
        }

        public var schedule: String
        public var tick: Date
        public var runID: String
        public var outcome: Outcome
    }

    let engine: WorkflowEngine
    let store: any ScheduleStore
    let workflows: @Sendable (String) throws -> WorkflowDefinition
    let declared: [(spec: ScheduleSpec, file: String)]
    let files: Set<String>
    let grace: TimeInterval
    let idle: Duration
    let logger: Logger
    let onStart: @Sendable (String) async -> Void

    /// - Parameters:
    ///   - workflows: the workflow a schedule names, by name.
    ///   - declared: the schedules the workflow files declare, with their files: brought into the store
    ///     when the ticker starts.
    ///   - files: every workflow file this process read: a schedule declared in one of them that it no
    ///     longer declares is removed from the store (one declared in a file another machine reads is left alone).
    ///   - grace: how late a tick may fire and still count as on time (older ones were missed).
    ///   - idle: the longest sleep between passes.
    ///   - onStart: called with each run this process starts (the server drives it).
    public init(engine: WorkflowEngine, store: any ScheduleStore, workflows: @escaping @Sendable (String) throws -> WorkflowDefinition,
                declared: [(spec: ScheduleSpec, file: String)] = [], files: Set<String> = [], grace: Duration = .seconds(60), idle: Duration = .seconds(30),
                logger: Logger = Logger(label: "catalynx.schedules"), onStart: @escaping @Sendable (String) async -> Void = { _ in }) {
        self.engine = engine
        self.store = store
        self.workflows = workflows
        self.declared = declared
        self.files = files.union(declared.map(\.file))
        self.grace = grace.seconds
        self.idle = idle
        self.logger = logger
        self.onStart = onStart
    }

    /// Brings the workflow files' schedules into the store: new ones start from now, changed ones keep
    /// where they stand, ones whose declaration is gone from a file read here are removed. A schedule added by a person
    /// under the same name is kept (and the declaration ignored, with a warning).
    public func sync() async throws {
        let stored = Dictionary(try await store.schedules().map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        let now = engine.clock.now()
        for (spec, file) in declared {
            if let existing = stored[spec.name], existing.declaredIn == nil {
                logger.warning("schedule \(spec.name) in \(file) is ignored: a schedule of that name was added by hand")
                continue
            }
            _ = try await store.saveSchedule(Schedule(spec: spec, declaredIn: file, lastTick: now), replacing: true)
        }
        let names = Set(declared.map(\.spec.name))
        for schedule in stored.values where schedule.declaredIn.map(files.contains) == true && !names.contains(schedule.name) {
            _ = try await store.removeSchedule(named: schedule.name)
        }
    }

    /// One pass: starts the run of every due tick and records how far each schedule is dealt with.
    @discardableResult
    public func fire() async throws -> [Fired] { try await pass().fired }

    /// A pass, and the earliest tick still to come of the schedules it read (when to look again).
    private func pass() async throws -> (fired: [Fired], next: Date?) {
        let now = engine.clock.now()
        var fired: [Fired] = []
        var next: Date?
        for schedule in try await store.schedules() {
            let (ticks, through) = schedule.due(at: now, grace: grace)
            var lastRun: String?
            for tick in ticks {
                let outcome = await start(schedule, at: tick)
                fired.append(outcome)
                if outcome.outcome == .started || outcome.outcome == .startedElsewhere { lastRun = outcome.runID }
            }
            if through > schedule.lastTick { try await store.advanceSchedule(named: schedule.name, through: through, lastRunID: lastRun) }
            if !schedule.paused, let upcoming = schedule.spec.cron.next(after: through, in: schedule.spec.timeZone) {
                next = min(next ?? upcoming, upcoming)
            }
        }
        return (fired, next)
    }

    private func start(_ schedule: Schedule, at tick: Date) async -> Fired {
        let runID = schedule.runID(for: tick)
        var logger = self.logger
        logger[metadataKey: "schedule"] = .string(schedule.name)
        logger[metadataKey: "run_id"] = .string(runID)
        do {
            let definition = try workflows(schedule.spec.workflow)
            let inputs = try definition.bindInputs(schedule.spec.inputs)
            _ = try await engine.start(definition, inputs: inputs, runID: runID, scheduledBy: ScheduleOrigin(schedule: schedule.name, tick: tick))
        } catch RunStoreError.conflict {
            return Fired(schedule: schedule.name, tick: tick, runID: runID, outcome: .startedElsewhere)
        } catch {
            logger.error("a scheduled run could not start", metadata: ["error": .string(String(describing: error))])
            return Fired(schedule: schedule.name, tick: tick, runID: runID, outcome: .failed(String(describing: error)))
        }
        logger.info("scheduled run started", metadata: ["tick": .string(tick.formatted(.iso8601))])
        await onStart(runID)
        return Fired(schedule: schedule.name, tick: tick, runID: runID, outcome: .started)
    }

    /// Syncs the declared schedules, then fires due ticks until graceful shutdown or cancellation.
    public func run() async throws {
        do {
            try await sync()
        } catch {
            logger.error("the workflow files' schedules could not be brought in", metadata: ["error": .string(String(describing: error))])
        }
        while !Task.isShuttingDownGracefully, !Task.isCancelled {
            var wait = idle
            do {
                if let next = try await pass().next {
                    wait = min(idle, .seconds(max(0.05, next.timeIntervalSince(engine.clock.now()))))
                }
            } catch {
                logger.error("schedules could not be read or fired", metadata: ["error": .string(String(describing: error))])
            }
            let sleep = wait
            do {
                try await cancelWhenGracefulShutdown { try await engine.clock.sleep(for: sleep) }
            } catch {
                return  // cancelled: shutting down
            }
        }
    }
}
