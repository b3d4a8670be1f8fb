import AgentCore
import Foundation
import Testing
import TestSupport

/// Concurrency keys end to end: separate processes on one SQLite file, and workers on PostgreSQL.
@Suite("CLI: concurrency keys", .serialized)
struct LimitCommandTests {
    static let workflow = """
        workflow: letters
        inputs:
          - { name: organization_ein, type: string }
        steps:
          - name: write
            tool: append_line
            concurrency: { key: "org-{{ organization_ein }}", limit: 1 }
            inputs: { file: "letters.log", text: "{{ organization_ein }}", hold_seconds: 1 }
        """

    /// The run's `write` step from its first start to its success, from the recorded events.
    static func interval(_ cli: CLIHarness, _ runID: String) throws -> (start: Double, end: Double, waited: String?) {
        let events = try cli.run("runs", "events", runID, "--format", "json").stdout.split(separator: "\n").compactMap { try? Value(json: String($0)) }
        func time(_ type: String) throws -> Double {
            let text = try #require(events.first { $0["type"]?.stringValue == type }?["timestamp"]?.stringValue, "no \(type) in \(runID)")
            return try #require(try? Date(text, strategy: .iso8601.year().month().day().time(includingFractionalSeconds: true)), "\(text)").timeIntervalSince1970
        }
        let start = try time("StepStarted"), end = try time("StepSucceeded")
        return (start, end, events.first { $0["type"] == "Throttled" }?["reason"]?.stringValue)
    }

    @Test func twoProcessesOnOneFileTakeTurnsForTheSameOrganization() throws {
        let cli = try CLIHarness()
        let path = try cli.write("letters.yaml", Self.workflow)
        let processes = try (0..<2).map { _ in try cli.launch(["run", path, "--input", "organization_ein=54-1230284", "--format", "json"]) }
        var ids: [String] = []
        for (process, out, err) in processes {
            let stdout = out.fileHandleForReading.readDataToEndOfFile()
            let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            #expect(process.terminationStatus == 0, "\(stderr)")
            ids += [try Value(json: String(decoding: stdout, as: UTF8.self))["run_id"]?.stringValue].compactMap { $0 }
        }
        let runs = try ids.map { (id: $0, span: try Self.interval(cli, $0)) }.sorted { $0.span.start < $1.span.start }
        #expect(runs.count == 2 && runs[0].span.end <= runs[1].span.start, "held apart: \(runs)")
        #expect(runs.first?.span.waited == nil)
        #expect(runs.last?.span.waited == "concurrency key 'org-54-1230284' is held by \(runs.first?.id ?? "?")/write (limit 1)")
    }

    @Test func workersOnPostgreSQLHoldTwoRunsOfOneKeyApartAndRunAnotherKeyBeside() async throws {
        var cli = try CLIHarness()
        cli.extraEnvironment["CATALYNX_DATABASE_URL"] = try await TestPostgres.freshDatabase()
        let path = try cli.write("letters.yaml", Self.workflow)
        var ids: [String] = []
        for ein in ["54-1230284", "54-1230284", "13-1624102"] {
            let started = try cli.run("run", path, "--input", "organization_ein=\(ein)", "--detach")
            #expect(started.status == 0, "\(started.stderr)")
            ids.append(started.stdout.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        let workers = try (0..<3).map { _ in try cli.launch(["worker", "--no-schedules"]) }
        defer { for (worker, _, _) in workers { worker.terminate(); worker.waitUntilExit() } }
        let finished = CLIHarness.waitUntil(timeout: 60) {
            let runs = (try? cli.run("runs", "list", "--format", "json").json?.arrayValue) ?? nil
            return runs?.filter { $0["status"] == "completed" }.count == 3
        }
        #expect(finished)
        let same = try ids.prefix(2).map { try Self.interval(cli, $0) }.sorted { $0.start < $1.start }
        #expect(same[0].end <= same[1].start, "one organization's runs held apart across workers: \(same)")
        #expect(same[1].waited?.hasPrefix("concurrency key 'org-54-1230284' is held by run_") == true)
        let other = try Self.interval(cli, ids[2])
        #expect(other.waited == nil && other.start < same[1].start - 0.5, "another organization's run did not wait: \(other) \(same)")
    }
}
