import AgentCore
import Foundation
import Testing
import TestSupport

/// `catalynx schedules` with the built binary: adding (and refusing what is wrong), listing with the
/// next tick, pausing, a backfill fired by `schedules tick` exactly once, a workflow file's own
/// schedules, and removing.
@Suite("CLI: schedules")
struct ScheduleCommandTests {
    @Test func schedulesAreAddedListedFiredOncePausedAndRemoved() throws {
        let cli = try CLIHarness()
        try FileManager.default.createDirectory(atPath: cli.home + "/workflows", withIntermediateDirectories: true)
        _ = try cli.write("workflows/greet.yaml", """
            workflow: greet
            inputs:
              - { name: who, type: string, default: world }
            steps:
              - { name: say, tool: echo, inputs: { value: "hello {{ who }}" } }
            schedules:
              - { name: monday_greeting, cron: "0 6 * * 1", timezone: America/New_York, inputs: { who: board } }
            """)
        let added = try cli.run("schedules", "add", "new_year", "--cron", "0 0 1 1 *", "--workflow", "greet", "--input", "who=donors",
                                "--catch-up", "all", "--since", "2023-06-01T00:00:00Z", "--format", "json")
        #expect(added.status == 0, "\(added.stderr)")
        #expect(added.json?["next_tick"] == "2024-01-01T00:00:00Z")

        let refused = try cli.run("schedules", "add", "bad", "--cron", "0 6 * * 8", "--workflow", "greet")
        #expect(refused.status == 2 && refused.stderr.contains("the day-of-week 8 is outside 0–7"), "\(refused.stderr)")
        let taken = try cli.run("schedules", "add", "new_year", "--cron", "@daily", "--workflow", "greet")
        #expect(taken.status == 2 && taken.stderr.contains("there is a schedule called 'new_year' already"))

        let list = try cli.run("schedules", "list")
        #expect(list.status == 0, "\(list.stderr)")
        let lines = list.stdout.split(separator: "\n").map(String.init)
        #expect(lines.contains { $0.hasPrefix("monday_greeting") && $0.contains("America/New_York") && $0.contains("EST") && $0.hasSuffix("greet.yaml") },
                "\(list.stdout)")
        #expect(lines.contains { $0.hasPrefix("new_year") && $0.contains("2024-01-01 00:00 UTC") && $0.hasSuffix("added") })

        // The backfill: the new years of 2024, 2025 and 2026 each start one run, once.
        let tick = try cli.run("schedules", "tick", "--format", "json")
        #expect(tick.status == 0, "\(tick.stderr)")
        let fired = tick.json?.arrayValue ?? []
        #expect(fired.map { $0["tick"] } == ["2024-01-01T00:00:00Z", "2025-01-01T00:00:00Z", "2026-01-01T00:00:00Z"])
        #expect(fired.allSatisfy { $0["outcome"] == "started" && $0["status"] == "completed" })
        #expect(try cli.run("schedules", "tick").stdout == "no ticks due\n")
        let runs = try cli.run("runs", "list", "--workflow", "greet", "--format", "json").json?.arrayValue ?? []
        #expect(runs.count == 3)
        let first = try #require(fired.first?["run_id"]?.stringValue)
        let shown = try cli.run("runs", "show", first, "--format", "json").json
        #expect(shown?["steps"]?["say"]?["output"]?["value"] == "hello donors")
        #expect(shown?["scheduled_by"] == ["schedule": "new_year", "tick": "2024-01-01T00:00:00Z"])
        #expect(try cli.run("runs", "show", first).stdout.contains("schedule  new_year, its tick at 2024-01-01T00:00:00Z"))

        let paused = try cli.run("schedules", "pause", "new_year")
        #expect(paused.status == 0 && paused.stdout == "schedule new_year paused\n")
        #expect(try cli.run("schedules", "list", "--format", "json").json?.arrayValue?.first { $0["name"] == "new_year" }?["paused"] == true)
        #expect(try cli.run("schedules", "resume", "new_year").stdout.contains("next 2027-01-01 00:00 UTC"))

        let missing = try cli.run("schedules", "pause", "new_yeer")
        #expect(missing.status == 2 && missing.stderr.contains("did you mean 'new_year'?"))
        let declared = try cli.run("schedules", "remove", "monday_greeting")
        #expect(declared.status == 2 && declared.stderr.contains("is declared in"))
        #expect(try cli.run("schedules", "remove", "new_year").status == 0)
        #expect(try cli.run("schedules", "list", "--format", "json").json?.arrayValue?.map { $0["name"] } == ["monday_greeting"])
    }

    @Test func threeProcessesFiringOneBackfillOnPostgreSQLStartEachTickOnce() async throws {
        var cli = try CLIHarness()
        cli.extraEnvironment["CATALYNX_DATABASE_URL"] = try await TestPostgres.freshDatabase()
        let hour = (Date().timeIntervalSince1970 / 3600).rounded(.down) * 3600
        let since = Date(timeIntervalSince1970: hour - 49.5 * 3600).formatted(.iso8601)  // 50 hourly ticks since, the last this hour's
        let added = try cli.run("schedules", "add", "hourly", "--cron", "0 * * * *", "--workflow", "hello", "--catch-up", "all", "--since", since)
        #expect(added.status == 0, "\(added.stderr)")

        let processes = try (0..<3).map { _ in try cli.launch(["schedules", "tick", "--detach", "--format", "json"]) }
        var started: [String] = []
        var seen: Set<String> = []
        for (process, out, err) in processes {
            let stdout = out.fileHandleForReading.readDataToEndOfFile()
            let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            #expect(process.terminationStatus == 0, "\(stderr)")
            let fired = try #require(try Value(json: String(decoding: stdout, as: UTF8.self)).arrayValue)
            started += fired.filter { $0["outcome"] == "started" }.compactMap { $0["run_id"]?.stringValue }
            seen.formUnion(fired.compactMap { $0["run_id"]?.stringValue })
        }
        #expect(started.count == 50 && Set(started).count == 50, "each of the 50 ticks started by exactly one process")
        #expect(seen == Set(started))
        let runs = try cli.run("runs", "list", "--workflow", "hello", "--limit", "200", "--format", "json").json?.arrayValue ?? []
        #expect(Set(runs.compactMap { $0["id"]?.stringValue }) == Set(started))
        #expect(try cli.run("schedules", "tick", "--detach").stdout == "no ticks due\n")
    }
}
