import Foundation
import Testing
import TestSupport
@testable import AgentCore

/// Schedules: which ticks are due after a downtime under each catch-up policy (pure), and the ticker
/// firing them on a manual clock, exactly once per tick with two processes on one store.
@Suite("Schedules")
struct ScheduleTests {
    let log = ExecutionLog()
    static let start = Date(timeIntervalSince1970: 1_767_225_600)  // 2026-01-01T00:00:00Z, the ManualClock's start

    static let workflow = """
        workflow: greet
        inputs:
          - { name: greeting, type: string, default: hello }
        steps:
          - { name: say, tool: echo, inputs: { value: "{{ greeting }}" } }
        schedules:
          - { name: hourly_hello, cron: "0 * * * *", inputs: { greeting: "good morning" }, catch_up: latest }
        """

    func schedule(_ cron: String, _ catchUp: ScheduleSpec.CatchUp, name: String = "s", paused: Bool = false) throws -> Schedule {
        Schedule(spec: ScheduleSpec(name: name, cron: try CronExpression(cron), workflow: "greet", catchUp: catchUp), paused: paused, lastTick: Self.start)
    }

    func hours(_ n: Double) -> Date { Self.start.addingTimeInterval(n * 3600) }

    @Test func missedTicksFollowTheCatchUpPolicy() throws {
        let now = hours(5).addingTimeInterval(30)  // 05:00:30, after five hours down
        #expect(try schedule("0 * * * *", .skip).due(at: now, grace: 60).fire == [hours(5)], "only the tick that is on time")
        #expect(try schedule("0 * * * *", .skip).due(at: hours(5.5), grace: 60).fire == [])
        #expect(try schedule("0 * * * *", .all).due(at: now, grace: 60).fire == [1, 2, 3, 4, 5].map { hours($0) })
        #expect(try schedule("0 * * * *", .latest).due(at: hours(5.5), grace: 60).fire == [hours(5)])
        #expect(try schedule("0 * * * *", .all).due(at: now, grace: 60).through == now)
        let paused = try schedule("0 * * * *", .all, paused: true).due(at: now, grace: 60)
        #expect(paused.fire.isEmpty && paused.through == Self.start)
    }

    @Test func aLongDowntimeCatchesUpInPassesOfAHundred() throws {
        let week = try schedule("* * * * *", .all).due(at: hours(24 * 7), grace: 60)
        #expect(week.fire.count == Schedule.catchUpLimit)
        #expect(week.through == week.fire.last, "the rest are due in the next pass")
    }

    @Test func aTicksRunIDIsTheSameEverywhereAndDiffersBetweenSchedulesAndTicks() throws {
        let one = try schedule("0 * * * *", .skip, name: "one")
        let two = try schedule("0 * * * *", .skip, name: "two")
        #expect(one.runID(for: hours(1)) == one.runID(for: hours(1)))
        #expect(one.runID(for: hours(1)) != two.runID(for: hours(1)))
        #expect(one.runID(for: hours(1)) != one.runID(for: hours(2)))
        #expect(one.runID(for: hours(1)).hasPrefix(String(RunID.make(at: hours(1)).prefix(16))), "ordered by the tick's time like other ids")
    }

    @Test func aWorkflowFileDeclaresSchedulesAndBadOnesAreReportedWhereTheyAre() throws {
        let registry = Fixtures.engineRegistry(log: log)
        let definition = try WorkflowLoader.load(source: Self.workflow, file: "greet.yaml", registry: registry)
        #expect(definition.schedules.map(\.name) == ["hourly_hello"])
        #expect(definition.schedules.first?.inputs == ["greeting": "good morning"] && definition.schedules.first?.catchUp == .latest)
        let bad = Self.workflow.replacingOccurrences(of: #"cron: "0 * * * *""#, with: #"cron: "0 25 * * *""#)
        #expect {
            try WorkflowLoader.load(source: bad, file: "greet.yaml", registry: registry)
        } throws: { error in
            (error as? WorkflowValidationError)?.description.contains("greet.yaml:7:34: error: schedule 'hourly_hello': the hour 25 is outside 0–23") == true
        }
        let wrongInput = Self.workflow.replacingOccurrences(of: "{ greeting:", with: "{ greting:")
        #expect {
            try WorkflowLoader.load(source: wrongInput, file: "greet.yaml", registry: registry)
        } throws: { error in
            (error as? WorkflowValidationError)?.description.contains("has no such input (did you mean 'greeting'?)") == true
        }
        let zone = Self.workflow.replacingOccurrences(of: "catch_up: latest", with: "timezone: Mars/Olympus")
        #expect(throws: WorkflowValidationError.self) { try WorkflowLoader.load(source: zone, file: "greet.yaml", registry: registry) }
    }

    @Test(arguments: StoreBackend.allCases) func eachTickStartsOneRunWithTwoProcessesTicking(_ backend: StoreBackend) async throws {
        let (first, second) = try await backend.openTwice()
        let clock = ManualClock()
        let registry = Fixtures.engineRegistry(log: log)
        let definition = try WorkflowLoader.load(source: Self.workflow, file: "greet.yaml", registry: registry)
        let tickers = [first, second].map { store in
            ScheduleTicker(engine: WorkflowEngine(store: store, registry: registry, clock: clock), store: store.scheduleStore!,
                           workflows: { _ in definition }, declared: definition.schedules.map { ($0, "greet.yaml") })
        }
        try await tickers[0].sync()
        try await tickers[1].sync()
        #expect(try await first.scheduleStore!.schedules().map(\.name) == ["hourly_hello"])
        // A process that does not read greet.yaml leaves its schedules alone; one that reads it without them removes them.
        let elsewhere = ScheduleTicker(engine: WorkflowEngine(store: second, registry: registry, clock: clock), store: second.scheduleStore!,
                                       workflows: { _ in definition }, files: ["other.yaml"])
        try await elsewhere.sync()
        #expect(try await first.scheduleStore!.schedules().map(\.name) == ["hourly_hello"])

        // Three hours pass with both processes ticking at once each hour.
        var started: [String] = []
        for _ in 1...3 {
            clock.advance(by: .seconds(3600))
            async let a = tickers[0].fire()
            async let b = tickers[1].fire()
            let fired = try await a + b
            // The second may look after the first has dealt with the tick (and fire nothing) or at the same time.
            #expect(Set(fired.map(\.runID)).count == 1, "one tick, one run id")
            #expect(fired.filter { $0.outcome == .started }.count == 1, "one of them started it")
            started += fired.filter { $0.outcome == .started }.map(\.runID)
        }
        let runs = try await first.runs(RunQuery(limit: 100))
        #expect(Set(runs.map(\.id)) == Set(started) && runs.count == 3)
        let firstRun = try await first.state(of: started[0])
        #expect(firstRun.inputs == ["greeting": "good morning"])
        #expect(firstRun.scheduledBy == ScheduleOrigin(schedule: "hourly_hello", tick: Self.start.addingTimeInterval(3600)))
        let stored = try #require(try await second.scheduleStore!.schedule(named: "hourly_hello"))
        #expect(stored.lastTick == clock.now() && stored.lastRunID == started[2])
        // greet.yaml edited: its schedule is gone from it, and from the store when a process reads the file again.
        let edited = ScheduleTicker(engine: WorkflowEngine(store: first, registry: registry, clock: clock), store: first.scheduleStore!,
                                    workflows: { _ in definition }, files: ["greet.yaml"])
        try await edited.sync()
        #expect(try await first.scheduleStore!.schedules().isEmpty)
    }

    @Test(arguments: StoreBackend.allCases) func aScheduleIsPausedResumedAndRemoved(_ backend: StoreBackend) async throws {
        let store = try await backend.open()
        let schedules = try #require(store.scheduleStore)
        let clock = ManualClock()
        let registry = Fixtures.engineRegistry(log: log)
        let definition = try WorkflowLoader.load(source: Self.workflow, file: "greet.yaml", registry: registry)
        let ticker = ScheduleTicker(engine: WorkflowEngine(store: store, registry: registry, clock: clock), store: schedules,
                                    workflows: { _ in definition })
        let spec = ScheduleSpec(name: "every_hour", cron: try CronExpression("0 * * * *"), workflow: "greet", catchUp: .all)
        #expect(try await schedules.saveSchedule(Schedule(spec: spec, lastTick: clock.now()), replacing: false))
        #expect(try await !schedules.saveSchedule(Schedule(spec: spec, lastTick: clock.now()), replacing: false), "the name is taken")

        #expect(try await schedules.setSchedule(named: "every_hour", paused: true, now: clock.now()))
        clock.advance(by: .seconds(3 * 3600))
        #expect(try await ticker.fire().isEmpty, "a paused schedule starts nothing")
        #expect(try await schedules.setSchedule(named: "every_hour", paused: false, now: clock.now()))
        #expect(try await ticker.fire().isEmpty, "the ticks of the pause are not caught up, whatever the policy")
        clock.advance(by: .seconds(3600))
        #expect(try await ticker.fire().map(\.outcome) == [.started])

        #expect(try await schedules.removeSchedule(named: "every_hour"))
        #expect(try await !schedules.removeSchedule(named: "every_hour"))
        #expect(try await !schedules.setSchedule(named: "every_hour", paused: true, now: clock.now()))
    }

    @Test func theTickerSleepsUntilTheNextTickOnTheEnginesClock() async throws {
        let store = MemoryRunStore()
        let clock = ManualClock()
        let registry = Fixtures.engineRegistry(log: log)
        let definition = try WorkflowLoader.load(source: Self.workflow, file: "greet.yaml", registry: registry)
        let ticker = ScheduleTicker(engine: WorkflowEngine(store: store, registry: registry, clock: clock), store: store,
                                    workflows: { _ in definition }, declared: definition.schedules.map { ($0, "greet.yaml") }, idle: .seconds(7200))
        let running = Task { try await ticker.run() }
        defer { running.cancel() }
        func settle() async throws {
            for _ in 0..<500 where clock.sleepers == 0 { try await Task.sleep(for: .milliseconds(2)) }
            #expect(clock.sleepers == 1)
        }
        try await settle()
        #expect(try await store.runs(RunQuery()).isEmpty)
        clock.advance(by: .seconds(3599))
        try await settle()
        #expect(try await store.runs(RunQuery()).isEmpty, "not yet")
        clock.advance(by: .seconds(1))
        for _ in 0..<500 where try await store.runs(RunQuery()).isEmpty { try await Task.sleep(for: .milliseconds(2)) }
        #expect(try await store.runs(RunQuery()).count == 1, "woken at 01:00 for the first tick")
    }
}
