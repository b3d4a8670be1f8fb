import AgentCore
import ArgumentParser
import CatalynxApp
import Foundation
import Logging

/// `catalynx schedules add|list|pause|resume|remove|tick`
struct SchedulesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "schedules",
        abstract: "Start workflows on a schedule (cron), fired by `serve` and every `worker`.",
        discussion: """
            A schedule starts a workflow with fixed inputs at the ticks of a cron expression, read on the \
            wall clock of a time zone. Each tick starts exactly one run, however many servers and workers \
            are up. Ticks missed while none was up follow --catch-up: skip (none), all (each, at most 100 \
            at a time) or latest (one). Workflow files can declare schedules too, under `schedules:`.
            """,
        subcommands: [Add.self, List.self, Pause.self, Resume.self, Remove.self, Tick.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add a schedule.",
            discussion: """
                Example, every Monday at 06:00 in New York: catalynx schedules add weekly_va --cron "0 6 * * 1" \
                --timezone America/New_York --workflow current_tier --input organization_ein=54-1230284
                """)

        @Argument(help: "The schedule's name (letters, digits, _ - .).")
        var name: String

        @Option(help: ArgumentHelp("minute hour day-of-month month day-of-week, or @daily, @weekly, @monthly, @hourly.", valueName: "expression"))
        var cron: String

        @Option(help: "The workflow to start (its name or file name).")
        var workflow: String

        @Option(name: .customLong("input"), help: ArgumentHelp("An input of the workflow (repeatable).", valueName: "key=value"))
        var inputs: [String] = []

        @Option(help: ArgumentHelp("The time zone the cron is read in (an IANA name).", valueName: "zone"))
        var timezone = "UTC"

        @Option(help: "Missed ticks: skip, all or latest.")
        var catchUp: ScheduleSpec.CatchUp = .skip

        @Option(help: ArgumentHelp("Ticks after this time are due (ISO 8601, e.g. 2026-01-01T00:00:00Z; default now). With --catch-up all, an earlier time backfills: its ticks run at the next pass.", valueName: "time"))
        var since: String?

        @Flag(help: "Replace a schedule of the same name (keeping where it stands).")
        var replace = false

        @Option(help: "table or json.")
        var format: OutputFormat = .table

        func run() async throws {
            let app = CLIContext().app
            var start: Date?
            if let since {
                guard let parsed = try? Date(since, strategy: .iso8601) else {
                    throw CLIExit.badInput("error: --since '\(since)' is not an ISO 8601 time such as 2026-01-01T00:00:00Z")
                }
                start = parsed
            }
            let schedule = try await app.addSchedule(name: name, cron: cron, workflow: workflow, inputs: try RunCommand.inputs(inputs),
                                                     timeZone: timezone, catchUp: catchUp, since: start, replacing: replace)
            switch format {
            case .json: Console.out(SchedulePresenter.json(schedule).jsonString(pretty: true))
            case .table: Console.out("schedule \(schedule.name) added: \(SchedulePresenter.sentence(schedule))")
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the schedules with their next tick.")

        @Option(help: "table or json.")
        var format: OutputFormat = .table

        func run() async throws {
            let schedules = try await CLIContext().app.schedules(syncing: true)
            switch format {
            case .json: Console.out(Value.array(schedules.map(SchedulePresenter.json)).jsonString(pretty: true))
            case .table: Console.out(schedules.isEmpty ? "no schedules" : SchedulePresenter.table(schedules))
            }
        }
    }

    struct Pause: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Pause a schedule: its ticks start nothing until it is resumed.")

        @Argument(help: "The schedule.")
        var name: String

        func run() async throws {
            let schedule = try await CLIContext().app.setSchedule(name, paused: true)
            Console.out("schedule \(schedule.name) paused")
        }
    }

    struct Resume: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Resume a paused schedule from its next tick (the ticks of the pause are not caught up).")

        @Argument(help: "The schedule.")
        var name: String

        func run() async throws {
            let schedule = try await CLIContext().app.setSchedule(name, paused: false)
            Console.out("schedule \(schedule.name) resumed: \(SchedulePresenter.sentence(schedule))")
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove a schedule added with `schedules add` (its runs are kept).")

        @Argument(help: "The schedule.")
        var name: String

        func run() async throws {
            try await CLIContext().app.removeSchedule(name)
            Console.out("schedule \(name) removed")
        }
    }

    struct Tick: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Start the runs of the ticks due now, once, and drive them (for a system cron or timer instead of `serve`).",
            discussion: "A tick another process has started already is not started again. Exit code 1 if a run could not start or failed.")

        @Flag(help: "Start the runs and return, without driving them (a worker or the server drives them).")
        var detach = false

        @Option(help: "table or json.")
        var format: OutputFormat = .table

        func run() async throws {
            let context = CLIContext()
            let engine = try await context.engine()
            var quiet = Logger(label: "catalynx.schedules")  // what it does is printed below
            quiet.logLevel = .error
            let ticker = try await context.app.scheduleTicker(engine: engine, logger: quiet)
            try await ticker.sync()
            let fired = try await ticker.fire()
            var finals: [String: RunStatus] = [:]
            if !detach {
                let driver = CLIContext.driver(for: engine)
                for tick in fired where tick.outcome == .started { finals[tick.runID] = try await driver.drive(runID: tick.runID).status }
            }
            switch format {
            case .json: Console.out(Value.array(fired.map { SchedulePresenter.json($0, status: finals[$0.runID]) }).jsonString(pretty: true))
            case .table:
                Console.out(fired.isEmpty ? "no ticks due" : fired.map { SchedulePresenter.line($0, status: finals[$0.runID]) }.joined(separator: "\n"))
            }
            let failed = fired.contains { if case .failed = $0.outcome { true } else { false } } || finals.values.contains { ExitStatus($0) == .failed }
            if failed { throw CLIExit(code: .failed, message: nil) }
        }
    }
}

extension ScheduleSpec.CatchUp: ExpressibleByArgument {}

/// How schedules read on a terminal and in JSON.
enum SchedulePresenter {
    /// `current_tier at "0 6 * * 1" (America/New_York), next 2026-12-07 06:00 EST; missed ticks: skip`.
    static func sentence(_ schedule: Schedule) -> String {
        let spec = schedule.spec
        let next = schedule.nextTick.map { "next \(ScheduleText.localTime($0, in: spec.timeZone))" } ?? "no tick to come"
        return "\(spec.workflow) at \"\(spec.cron)\" (\(spec.zoneName)), \(schedule.paused ? "paused" : next); missed ticks: \(spec.catchUp.rawValue)"
    }

    static func table(_ schedules: [Schedule]) -> String {
        var table = TextTable("SCHEDULE", "WORKFLOW", "CRON", "ZONE", "NEXT", "CATCH-UP", "STATE", "LAST RUN", "FROM")
        for schedule in schedules {
            let spec = schedule.spec
            table.rows.append([schedule.name, spec.workflow, spec.cron.description, spec.zoneName,
                               ScheduleText.next(schedule),
                               spec.catchUp.rawValue, schedule.paused ? "paused" : "active", schedule.lastRunID ?? "",
                               schedule.declaredIn.map { ($0 as NSString).lastPathComponent } ?? "added"])
        }
        return table.render()
    }

    static func json(_ schedule: Schedule) -> Value {
        let spec = schedule.spec
        var object: [String: Value] = [
            "name": .string(schedule.name), "workflow": .string(spec.workflow), "cron": .string(spec.cron.description),
            "timezone": .string(spec.zoneName), "inputs": .object(spec.inputs), "catch_up": .string(spec.catchUp.rawValue),
            "paused": .bool(schedule.paused), "last_tick": .string(schedule.lastTick.formatted(.iso8601)),
        ]
        if let next = schedule.nextTick, !schedule.paused { object["next_tick"] = .string(next.formatted(.iso8601)) }
        if let run = schedule.lastRunID { object["last_run_id"] = .string(run) }
        if let file = schedule.declaredIn { object["declared_in"] = .string(file) }
        return .object(object)
    }

    static func line(_ fired: ScheduleTicker.Fired, status: RunStatus?) -> String {
        let when = fired.tick.formatted(.iso8601)
        switch fired.outcome {
        case .started: return "\(fired.schedule) \(when): started \(fired.runID)" + (status.map { ", \($0.rawValue)" } ?? "")
        case .startedElsewhere: return "\(fired.schedule) \(when): \(fired.runID) was started by another process"
        case .failed(let reason): return "\(fired.schedule) \(when): could not start: \(reason)"
        }
    }

    static func json(_ fired: ScheduleTicker.Fired, status: RunStatus?) -> Value {
        var object: [String: Value] = ["schedule": .string(fired.schedule), "tick": .string(fired.tick.formatted(.iso8601)), "run_id": .string(fired.runID)]
        switch fired.outcome {
        case .started: object["outcome"] = "started"
        case .startedElsewhere: object["outcome"] = "started_elsewhere"
        case .failed(let reason): (object["outcome"], object["error"]) = ("failed", .string(reason))
        }
        if let status { object["status"] = .string(status.rawValue) }
        return .object(object)
    }
}
