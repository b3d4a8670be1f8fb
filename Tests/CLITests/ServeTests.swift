import AgentCore
import Foundation
import Synchronization
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing
import TestSupport

/// `catalynx serve` as a subprocess: a run started over the API waits for its expert review,
/// survives the server being killed and restarted, and completes with the answer.
@Suite("CLI: serve", .serialized)
struct ServeTests {
    func request(_ method: String, _ url: String, token: String?, body: String? = nil) async throws -> (status: Int, json: Value?) {
        var request = URLRequest(url: URL(string: url)!)
        request.httpMethod = method
        if let token { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
        if let body {
            request.httpBody = Data(body.utf8)
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        let (data, response) = try await URLSession.shared.data(for: request)
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, try? Value(json: String(decoding: data, as: UTF8.self)))
    }

    /// Starts the server and waits until /health answers.
    func serve(_ cli: CLIHarness, port: Int, _ extra: [String] = []) async throws -> Process {
        let (process, _, _) = try cli.launch(["serve", "--port", String(port)] + extra)
        // Up to a minute: the other suites (the worker chaos test above all) may be loading the machine.
        for _ in 0..<600 {
            if let health = try? await request("GET", "http://127.0.0.1:\(port)/health", token: nil), health.status == 200 { return process }
            try await Task.sleep(for: .milliseconds(100))
        }
        process.terminate()
        throw CocoaError(.fileReadUnknown)
    }

    @Test func anExpertReviewSurvivesAServerRestartAndCompletesWithTheAnswer() async throws {
        var cli = AnalyzeTests.shared
        cli.extraEnvironment["CATALYNX_REVIEWERS"] = "ann"
        let writer = try cli.run("keys", "create", "--name", "test", "--scope", "write").stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(writer.hasPrefix("cx_"))
        let port = Int.random(in: 20_000...40_000)
        let base = "http://127.0.0.1:\(port)"
        var server = try await serve(cli, port: port)
        defer { if server.isRunning { server.terminate(); server.waitUntilExit() } }  // whichever server is running when the test ends, even failing
        let started = try await request("POST", "\(base)/api/v1/runs", token: writer,
                                        body: #"{"workflow": "enhanced_tier_analysis", "inputs": {"organization_ein": "54-1230284"}}"#)
        #expect(started.status == 202)
        let runID = try #require(started.json?["run_id"]?.stringValue)
        var waiting: Value?
        for _ in 0..<600 {
            waiting = try await request("GET", "\(base)/api/v1/runs/\(runID)", token: writer).json
            if waiting?["status"] == "waiting" { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(waiting?["waiting_for"]?.arrayValue?.first?["step"] == "expert_review")

        // Kill the server; a new one finds the question in the run's events.
        kill(server.processIdentifier, SIGKILL)
        server.waitUntilExit()
        server = try await serve(cli, port: port)
        let open = try await request("GET", "\(base)/api/v1/approvals", token: writer)
        #expect(open.json?.arrayValue?.contains { $0["run_id"]?.stringValue == runID } == true)
        let answered = try await request("POST", "\(base)/api/v1/runs/\(runID)/approval", token: writer,
                                         body: #"{"decision": "approve", "reviewer": "ann", "comment": "Checked against the 990s"}"#)
        #expect(answered.status == 202)
        var final: Value?
        for _ in 0..<600 {
            final = try await request("GET", "\(base)/api/v1/runs/\(runID)", token: writer).json
            if final?["status"] == "completed" { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(final?["status"] == "completed")
        #expect(final?["outputs"]?["review"]?["validation_type"] == "human_expert")
        #expect(final?["outputs"]?["final_report"]?["review"]?["additional_insights"] == ["Checked against the 990s"])
        #expect(try await request("POST", "\(base)/api/v1/runs", token: nil, body: "{}").status == 401)
        // The report of the run, and the organization behind it.
        var report = URLRequest(url: URL(string: "\(base)/api/v1/runs/\(runID)/report?format=html")!)
        report.setValue("Bearer \(writer)", forHTTPHeaderField: "Authorization")
        let (html, _) = try await URLSession.shared.data(for: report)
        let page = String(decoding: html, as: UTF8.self)
        #expect(page.hasPrefix("<!DOCTYPE html>") && page.contains("Checked against the 990s") && page.contains("<svg "))
        let organization = try await request("GET", "\(base)/api/v1/organizations/54-1230284", token: writer)
        #expect(organization.json?["organization"]?["name"] == "Virginia Primary Care Assn Inc")
        #expect(organization.json?["filings"]?.arrayValue?.count == 11)
        #expect(try await request("GET", "\(base)/api/v1/organizations/00-1234567", token: writer).status == 400)
        #expect(try await request("GET", "\(base)/api/v1/organizations/12-3456789", token: writer).status == 404)
        let found = try await request("GET", "\(base)/api/v1/organizations?q=primary%20care&state=VA", token: writer)
        #expect(found.json?.arrayValue?.first?["ein"] == "541230284")
        let openapi = try await request("GET", "\(base)/openapi.json", token: nil)
        #expect(openapi.json?["openapi"] == "3.0.3" && openapi.json?["paths"]?["/api/v1/runs"] != nil)
        let tools = try await request("GET", "\(base)/health/tools", token: nil)
        #expect(tools.status == 200 && tools.json?["organizations"]?["organizations"] == 71_198 && tools.json?["llm"]?["configured"] == false)

        // SIGTERM shuts the server down gracefully: it exits on its own, with status 0, even while a
        // client follows the events of a run that waits for a person (the stream ends with the server).
        let second = try await request("POST", "\(base)/api/v1/runs", token: writer,
                                       body: #"{"workflow": "enhanced_tier_analysis", "inputs": {"organization_ein": "54-1230284"}}"#)
        let waitingID = try #require(second.json?["run_id"]?.stringValue)
        for _ in 0..<600 {
            if try await request("GET", "\(base)/api/v1/runs/\(waitingID)", token: writer).json?["status"] == "waiting" { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        let follower = Task { try? await request("GET", "\(base)/api/v1/runs/\(waitingID)/events?follow=true", token: writer) }
        try await Task.sleep(for: .seconds(1))
        server.terminate()
        for _ in 0..<300 {
            if !server.isRunning { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(!server.isRunning, "the server did not stop within 30 s of SIGTERM with an event stream open")
        if server.isRunning { kill(server.processIdentifier, SIGKILL) }
        server.waitUntilExit()
        #expect(server.terminationStatus == 0)
        follower.cancel()
        #expect(try cli.run("runs", "cancel", waitingID).status == 0)  // leave no question open in the shared home
    }

    @Test func onPostgreSQLTheServersWorkerDrivesAnAPIRunAndItsWebhookFires() async throws {
        var cli = try CLIHarness()
        cli.extraEnvironment["CATALYNX_DATABASE_URL"] = try await TestPostgres.freshDatabase()
        cli.extraEnvironment["HOOK_SECRET"] = "s3cret"
        let received = Mutex<[Value]>([])
        let receiver = try LocalHTTPServer { _, body in
            if let event = try? Value(json: String(decoding: body, as: UTF8.self)) { received.withLock { $0.append(event) } }
            return .init(status: 204, body: Data())
        }
        defer { receiver.shutdown() }
        _ = try cli.write("webhooks.yaml", """
            outbound:
              - url: \(receiver.baseURL)/hooks
                secret_env: HOOK_SECRET
                events: [run.completed]
            """)
        let writer = try cli.run("keys", "create", "--name", "test", "--scope", "write").stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let port = Int.random(in: 20_000...40_000)
        let server = try await serve(cli, port: port, ["--workers", "2"])
        defer { if server.isRunning { server.terminate(); server.waitUntilExit() } }
        let started = try await request("POST", "http://127.0.0.1:\(port)/api/v1/runs", token: writer,
                                        body: #"{"workflow": "standard_tier_analysis", "inputs": {"organization_ein": "54-1230284"}}"#)
        #expect(started.status == 202)
        let runID = try #require(started.json?["run_id"]?.stringValue)
        for _ in 0..<600 where received.withLock({ $0.isEmpty }) { try await Task.sleep(for: .milliseconds(100)) }
        let events = received.withLock { $0 }
        #expect(events.count == 1)
        #expect(events.first?["event"] == "run.completed" && events.first?["run_id"] == .string(runID))
        let run = try await request("GET", "http://127.0.0.1:\(port)/api/v1/runs/\(runID)", token: writer)
        #expect(run.json?["status"] == "completed")
        server.terminate()
        server.waitUntilExit()
        #expect(server.terminationStatus == 0)
    }
}
