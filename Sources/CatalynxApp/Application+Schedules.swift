import AgentCore
import Foundation
import Logging

/// Schedules: what `catalynx schedules`, `serve`, `worker` and the dashboard share.
extension CatalynxApplication {
    /// The schedules of the run store's database.
    public func scheduleStore() async throws -> any ScheduleStore {
        guard let schedules = try await store().scheduleStore else {
            throw ApplicationError(.failed, "this run store keeps no schedules")
        }
        return schedules
    }

    /// Every schedule of the store; with `syncing`, the workflow files' declarations are brought in first
    /// (`schedules list` does; a page that only shows them does not write).
    public func schedules(syncing: Bool = false) async throws -> [Schedule] {
        if syncing { try await scheduleTicker(engine: try await engine()).sync() }
        return try await scheduleStore().schedules()
    }

    /// The schedules the workflow files declare, each with its file.
    public var declaredSchedules: [(spec: ScheduleSpec, file: String)] {
        catalog.entries().flatMap { entry -> [(spec: ScheduleSpec, file: String)] in
            guard case .success(let definition) = entry.definition else { return [] }
            return definition.schedules.map { ($0, entry.file) }
        }
    }

    /// The ticker that fires the store's schedules: `serve` and `worker` run it; `onStart` sees each run it starts.
    public func scheduleTicker(engine: WorkflowEngine, logger: Logger = Logger(label: "catalynx.schedules"),
                               onStart: @escaping @Sendable (String) async -> Void = { _ in }) async throws -> ScheduleTicker {
        let catalog = self.catalog
        return ScheduleTicker(engine: engine, store: try await scheduleStore(), workflows: { try catalog.definition($0) },
                              declared: declaredSchedules, files: Set(catalog.files), logger: logger, onStart: onStart)
    }

    /// Adds a schedule (or replaces one added before, with `replacing`), checking all of it first.
    /// - Parameters:
    ///   - inputs: the workflow's inputs as `key=value` text, typed by the workflow.
    ///   - timeZone: an IANA name (default UTC).
    ///   - since: the ticks after this time are due (default now; earlier, with catch-up `all`, is a backfill).
    /// - Throws: `ApplicationError` `.badInput` naming what is wrong: the name, the cron field, the zone, the workflow or an input.
    public func addSchedule(name: String, cron: String, workflow: String, inputs: [String: Value], timeZone: String?,
                            catchUp: ScheduleSpec.CatchUp, since: Date? = nil, replacing: Bool) async throws -> Schedule {
        let spec: ScheduleSpec
        do {
            spec = try ScheduleSpec.checked(name: name, cron: cron, timeZone: timeZone, catchUp: catchUp.rawValue, inputs: inputs,
                                            definition: try self.workflow(workflow))
        } catch let problem as ScheduleSpec.Problem {
            throw ApplicationError(.badInput, problem.message, hint: problem.hint)
        }
        let store = try await scheduleStore()
        if let file = try await store.schedule(named: name)?.declaredIn {
            throw ApplicationError(.badInput, "schedule '\(name)' is declared in \(file)", hint: "change it in that file, or choose another name")
        }
        let schedule = Schedule(spec: spec, lastTick: since ?? Date())
        guard try await store.saveSchedule(schedule, replacing: replacing) else {
            throw ApplicationError(.badInput, "there is a schedule called '\(name)' already", hint: "remove it first, or add with --replace")
        }
        return try await store.schedule(named: name) ?? schedule
    }

    /// Pauses or resumes a schedule; resuming does not catch up the ticks of the pause.
    public func setSchedule(_ name: String, paused: Bool) async throws -> Schedule {
        let store = try await scheduleStore()
        guard try await store.setSchedule(named: name, paused: paused, now: Date()), let schedule = try await store.schedule(named: name) else {
            throw try await unknownSchedule(name, store)
        }
        return schedule
    }

    /// Removes a schedule added with `schedules add` (one a workflow file declares is removed from its file).
    public func removeSchedule(_ name: String) async throws {
        let store = try await scheduleStore()
        if let declared = try await store.schedule(named: name)?.declaredIn {
            throw ApplicationError(.badInput, "schedule '\(name)' is declared in \(declared)", hint: "remove it from that file; `schedules pause \(name)` stops it meanwhile")
        }
        guard try await store.removeSchedule(named: name) else { throw try await unknownSchedule(name, store) }
    }

    private func unknownSchedule(_ name: String, _ store: any ScheduleStore) async throws -> ApplicationError {
        let known = try await store.schedules().map(\.name)
        let hint = Spelling.didYouMean(name, among: known) ?? (known.isEmpty ? "there are no schedules; `catalynx schedules add` adds one" : "the schedules are: \(known.joined(separator: ", "))")
        return ApplicationError(.badInput, "no schedule called '\(name)'", hint: hint)
    }
}

/// How a schedule's times read for people, in the CLI and the dashboard.
public enum ScheduleText {
    /// `2026-12-07 06:00 EST`, on the schedule's own clock.
    public static func localTime(_ date: Date, in zone: TimeZone) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = zone
        formatter.dateFormat = zone.identifier == "GMT" ? "yyyy-MM-dd HH:mm 'UTC'" : "yyyy-MM-dd HH:mm zzz"
        return formatter.string(from: date)
    }

    /// The next tick on the schedule's clock, `paused`, or `never` (a date that does not come).
    public static func next(_ schedule: Schedule) -> String {
        if schedule.paused { return "paused" }
        return schedule.nextTick.map { localTime($0, in: schedule.spec.timeZone) } ?? "never"
    }
}
