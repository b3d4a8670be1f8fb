import Foundation

/// What a schedule starts and when: a workflow with fixed inputs at the ticks of a cron expression.
public struct ScheduleSpec: Sendable, Hashable {
    /// What happens to ticks missed while nothing was running (`serve` and every `worker` down).
    public enum CatchUp: String, Sendable, Hashable, CaseIterable {
        /// Missed ticks start nothing; the schedule goes on from the next one.
        case skip
        /// Every missed tick starts its run (at most `Schedule.catchUpLimit` per pass).
        case all
        /// The latest missed tick starts one run; the others start nothing.
        case latest
    }

    public var name: String
    public var cron: CronExpression
    public var timeZone: TimeZone
    /// The workflow's name, as `catalynx run` takes it.
    public var workflow: String
    public var inputs: [String: Value]
    public var catchUp: CatchUp

    public init(name: String, cron: CronExpression, timeZone: TimeZone = TimeZone(identifier: "UTC")!, workflow: String,
                inputs: [String: Value] = [:], catchUp: CatchUp = .skip) {
        self.name = name
        self.cron = cron
        self.timeZone = timeZone
        self.workflow = workflow
        self.inputs = inputs
        self.catchUp = catchUp
    }

    /// The time zone's IANA name (UTC, which Foundation calls GMT, as UTC).
    public var zoneName: String { timeZone.identifier == "GMT" ? "UTC" : timeZone.identifier }

    /// A problem with a schedule as written: the part it is in (`name`, `cron`, `timezone`, `catch_up`, `inputs`), what is wrong, how to fix it.
    public struct Problem: Error, Sendable, CustomStringConvertible {
        public var field: String
        public var message: String
        public var hint: String?
        public var description: String { message }
    }

    /// A schedule from its parts as written (the `schedules:` of a workflow file, or `catalynx schedules add`), all checked.
    /// - Parameters:
    ///   - timeZone: an IANA name (nil: UTC).
    ///   - catchUp: `skip` (nil), `all` or `latest`.
    ///   - definition: the workflow it starts; `inputs` must bind to it.
    /// - Throws: `Problem` naming the field that is wrong.
    public static func checked(name: String, cron: String, timeZone: String?, catchUp: String?, inputs: [String: Value],
                               definition: WorkflowDefinition) throws(Problem) -> ScheduleSpec {
        guard isValidName(name) else {
            throw Problem(field: "name", message: "schedule name '\(name)' is not a plain name", hint: "use letters, digits, '_', '-' and '.' (at most 100)")
        }
        let expression: CronExpression
        do {
            expression = try CronExpression(cron)
        } catch {
            throw Problem(field: "cron", message: "schedule '\(name)': \(error.reason)", hint: "five fields: minute hour day-of-month month day-of-week, e.g. \"0 6 * * 1\"")
        }
        guard let zone = TimeZone(identifier: timeZone ?? "UTC") else {
            throw Problem(field: "timezone", message: "unknown time zone '\(timeZone ?? "")'", hint: "use an IANA name such as America/New_York or UTC")
        }
        guard let policy = CatchUp(rawValue: catchUp ?? CatchUp.skip.rawValue) else {
            throw Problem(field: "catch_up", message: "unknown catch_up '\(catchUp ?? "")'", hint: "use one of " + CatchUp.allCases.map(\.rawValue).joined(separator: ", "))
        }
        do {
            _ = try definition.bindInputs(inputs)  // checked now; bound when a tick fires (defaults as they are then)
        } catch {
            throw Problem(field: "inputs", message: "schedule '\(name)': " + error.problems.joined(separator: "; "), hint: nil)
        }
        return ScheduleSpec(name: name, cron: expression, timeZone: zone, workflow: definition.name, inputs: inputs, catchUp: policy)
    }

    /// A schedule name: letters, digits, `_`, `-` and `.`, starting with a letter or digit, at most 100.
    public static func isValidName(_ name: String) -> Bool {
        guard let first = name.first, first.isASCII, first.isLetter || first.isNumber, name.count <= 100 else { return false }
        return name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "_-.".contains($0)) }
    }
}

/// A stored schedule: its spec and where it stands.
public struct Schedule: Sendable, Hashable {
    public var spec: ScheduleSpec
    public var paused: Bool
    /// The workflow file that declares it under `schedules:`; nil for one added with `schedules add`.
    public var declaredIn: String?
    /// Every tick up to this time has been dealt with (started, or skipped by the catch-up policy);
    /// at first the time the schedule was added.
    public var lastTick: Date
    /// The run the schedule started last.
    public var lastRunID: String?

    /// At most this many missed ticks start runs in one pass (`catch_up: all` after a long downtime).
    public static let catchUpLimit = 100

    public init(spec: ScheduleSpec, paused: Bool = false, declaredIn: String? = nil, lastTick: Date, lastRunID: String? = nil) {
        self.spec = spec
        self.paused = paused
        self.declaredIn = declaredIn
        self.lastTick = lastTick
        self.lastRunID = lastRunID
    }

    public var name: String { spec.name }

    /// The next tick after the ones dealt with.
    public var nextTick: Date? { spec.cron.next(after: lastTick, in: spec.timeZone) }

    /// Which ticks are due at `now` and start a run, and how far the schedule is then dealt with.
    /// A tick is on time when it is at most `grace` old; older ones were missed and follow the catch-up policy.
    public func due(at now: Date, grace: TimeInterval) -> (fire: [Date], through: Date) {
        guard !paused else { return ([], lastTick) }
        let ticks = spec.cron.ticks(after: lastTick, through: now, in: spec.timeZone, limit: Self.catchUpLimit)
        guard let newest = ticks.last else { return ([], max(lastTick, now)) }
        // Cut at the limit: the rest are dealt with in the next pass.
        let through = ticks.count == Self.catchUpLimit ? newest : max(lastTick, now)
        switch spec.catchUp {
        case .all: return (ticks, through)
        case .latest: return ([newest], through)
        case .skip: return (ticks.filter { now.timeIntervalSince($0) <= grace }, through)
        }
    }

    /// The id of the run a tick starts: the same for every process that sees the tick, so the
    /// store's refusal to create a run twice makes each tick start exactly one run.
    public func runID(for tick: Date) -> String {
        // FNV-1a of the schedule's name and the tick: ids of one schedule's runs differ in their last digits too.
        var hash: UInt32 = 2_166_136_261
        for byte in Array(name.utf8) + Array("@\(Int64(tick.timeIntervalSince1970 * 1000))".utf8) { hash = (hash ^ UInt32(byte)) &* 16_777_619 }
        return RunID.make(at: tick, suffix: hash)
    }
}

/// Where schedules are kept: the run store's database (SQLite, PostgreSQL), shared by `serve` and
/// every `worker`.
public protocol ScheduleStore: Sendable {
    /// Every schedule, by name.
    func schedules() async throws -> [Schedule]

    /// Adds a schedule, or replaces the one of the same name when `replacing` (keeping where it stands).
    /// - Returns: false when one of that name exists and `replacing` is false.
    func saveSchedule(_ schedule: Schedule, replacing: Bool) async throws -> Bool

    /// - Returns: whether there was one of that name.
    func removeSchedule(named name: String) async throws -> Bool

    /// Pauses or resumes a schedule; resuming deals with the ticks up to `now` (a paused schedule's
    /// ticks start nothing, whatever its catch-up policy). - Returns: whether there was one of that name.
    func setSchedule(named name: String, paused: Bool, now: Date) async throws -> Bool

    /// Records that the schedule's ticks through `tick` are dealt with (never moving back) and, when
    /// given, the run it started last.
    func advanceSchedule(named name: String, through tick: Date, lastRunID: String?) async throws
}

extension ScheduleStore {
    public func schedule(named name: String) async throws -> Schedule? {
        try await schedules().first { $0.name == name }
    }
}

/// A schedule as a database row keeps it (the SQLite and PostgreSQL stores share this codec).
public struct ScheduleRow: Sendable, Hashable {
    public var name: String
    public var cron: String
    public var timeZone: String
    public var workflow: String
    /// The inputs as a JSON object.
    public var inputs: String
    public var catchUp: String
    public var paused: Bool
    public var declaredIn: String?
    /// Seconds since 1970.
    public var lastTick: Double
    public var lastRunID: String?

    public init(name: String, cron: String, timeZone: String, workflow: String, inputs: String, catchUp: String, paused: Bool,
                declaredIn: String?, lastTick: Double, lastRunID: String?) {
        (self.name, self.cron, self.timeZone, self.workflow, self.inputs, self.catchUp) = (name, cron, timeZone, workflow, inputs, catchUp)
        (self.paused, self.declaredIn, self.lastTick, self.lastRunID) = (paused, declaredIn, lastTick, lastRunID)
    }

    public init(_ schedule: Schedule) {
        let spec = schedule.spec
        self.init(name: spec.name, cron: spec.cron.description, timeZone: spec.zoneName, workflow: spec.workflow,
                  inputs: Value.object(spec.inputs).jsonString(), catchUp: spec.catchUp.rawValue, paused: schedule.paused,
                  declaredIn: schedule.declaredIn, lastTick: schedule.lastTick.timeIntervalSince1970, lastRunID: schedule.lastRunID)
    }

    /// The schedule; `RunStoreError.corrupt` when the row holds what no schedule can.
    public func schedule() throws -> Schedule {
        let cron: CronExpression
        do { cron = try CronExpression(self.cron) } catch { throw RunStoreError.corrupt("schedule '\(name)': \(error)") }
        guard let zone = TimeZone(identifier: timeZone), let catchUp = ScheduleSpec.CatchUp(rawValue: catchUp),
              case .object(let inputs)? = try? Value.parseJSON(self.inputs) else {
            throw RunStoreError.corrupt("schedule '\(name)' has an unreadable time zone, catch-up policy or inputs")
        }
        let spec = ScheduleSpec(name: name, cron: cron, timeZone: zone, workflow: workflow, inputs: inputs, catchUp: catchUp)
        return Schedule(spec: spec, paused: paused, declaredIn: declaredIn, lastTick: Date(timeIntervalSince1970: lastTick), lastRunID: lastRunID)
    }
}
