import Foundation
import Testing
import TestSupport

/// The dashboard in a real browser (Debian's Chromium, headless, through chromedriver): sign in,
/// start an enhanced-tier analysis, answer its expert review, open the report. Screenshots of each
/// page are kept in `.build/test-artifacts/browser/`.
@Suite("CLI: dashboard in Chromium", .serialized)
struct BrowserTests {
    static let artifacts = CLIHarness.packageRoot.appendingPathComponent(".build/test-artifacts/browser")

    /// Reloads the page until `selector`'s text is `expected` (for pages of runs that are not live, which do not follow the run).
    func waitFor(_ browser: WebDriver, _ selector: String, toRead expected: String) async throws -> Bool {
        for _ in 0..<300 {
            if (try? await browser.text(selector)) == expected { return true }
            try await Task.sleep(for: .milliseconds(200))
            try await browser.open(try await browser.currentURL())
        }
        return false
    }

    @Test func signInStartAnAnalysisAnswerItsReviewAndOpenTheReport() async throws {
        var cli = AnalyzeTests.shared
        cli.extraEnvironment["CATALYNX_REVIEWERS"] = "ann"
        let key = try cli.run("keys", "create", "--name", "ann", "--scope", "write").stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let port = Int.random(in: 20_000...40_000)
        let base = "http://127.0.0.1:\(port)"
        let server = try await ServeTests().serve(cli, port: port)
        defer { server.terminate(); server.waitUntilExit() }
        let browser = try await WebDriver(artifacts: Self.artifacts)

        // Signed out, every page leads to the sign-in form.
        try await browser.open("\(base)/runs")
        #expect(try await browser.currentURL() == "\(base)/signin")
        try await browser.screenshot("01-sign-in")
        try await browser.type("not-a-key", into: "#key")
        try await browser.click("#signin")
        #expect(try await browser.text("[role=alert]") == "That key is unknown or revoked.")
        try await browser.type(key, into: "#key")
        try await browser.click("#signin")
        #expect(try await browser.url { $0 == "\(base)/runs" } == "\(base)/runs")

        // Start an enhanced-tier analysis; its page follows the run until the expert review.
        try await browser.click("a[href='/analyze']")
        try await browser.type("54-1230284", into: "#ein")
        try await browser.click("#tier option[value='enhanced_tier_analysis']")
        try await browser.screenshot("02-start-analysis")
        try await browser.click("#start")
        let runURL = try await browser.url { $0.hasPrefix("\(base)/runs/run_") }
        #expect(runURL.hasPrefix("\(base)/runs/run_"))
        #expect(try await waitFor(browser, "#run-status", toRead: "waiting"))
        #expect(try await browser.pageSource().contains("step-expert_review"))
        try await browser.screenshot("03-run-waiting")

        // A live run's page follows it in place (Server-Sent Events, no reload): a marker set in the
        // page survives until the run has completed.
        let apiRun = try await ServeTests().request("POST", "\(base)/api/v1/runs", token: key,
                                                    body: #"{"workflow": "parallel_fan_out", "inputs": {"seconds": 2}}"#)
        let liveRunID = try #require(apiRun.json?["run_id"]?.stringValue, "\(apiRun)")
        try await browser.open("\(base)/runs/\(liveRunID)")
        _ = try await browser.execute("window.catalynxMarker = 'not reloaded'")
        var followed = false
        for _ in 0..<150 where !followed {
            followed = (try? await browser.text("#run-status")) == "completed"
            if !followed { try await Task.sleep(for: .milliseconds(200)) }
        }
        #expect(followed, "the page did not follow the run to completed")
        #expect(try await browser.execute("return window.catalynxMarker") as? String == "not reloaded")
        #expect(try await browser.text("#step-join .badge") == "succeeded")
        #expect(!(try await browser.pageSource().contains("report-link")), "a workflow without a report links to none")
        try await browser.screenshot("03b-run-followed-live")
        try await browser.open(runURL)

        // Answer it from the approvals inbox.
        try await browser.click("#answer-link")
        #expect(try await browser.pageSource().contains("Virginia Primary Care Assn Inc"))
        // (Other tests on the same home may leave runs waiting: answer this run's question.)
        let form = "form[action='/approvals/\(runURL.dropFirst("\(base)/runs/".count))']"
        try await browser.type("Checked in the browser against the 990s", into: "\(form) textarea[name=comment]")
        try await browser.type("Reserves are 10.1 months, not 10", into: "\(form) textarea[name=corrections]")
        try await browser.screenshot("04-approvals")
        try await browser.click("\(form) button.answer")
        #expect(try await browser.url { $0 == runURL } == runURL)
        #expect(try await waitFor(browser, "#run-status", toRead: "completed"))
        try await browser.screenshot("05-run-completed")

        // The report carries the reviewer's answer.
        try await browser.click("#report-link")
        let report = try await browser.pageSource()
        #expect(report.contains("Checked in the browser against the 990s"))
        #expect(report.contains("Reserves are 10.1 months, not 10"))
        #expect(report.contains("<svg"))
        try await browser.screenshot("06-report")

        // The organization's page, then signing out ends the session.
        try await browser.open("\(base)/organizations/541230284")
        #expect(try await browser.text("h1") == "Virginia Primary Care Assn Inc")
        try await browser.screenshot("07-organization")
        try await browser.click("header button")
        #expect(try await browser.url { $0 == "\(base)/signin" } == "\(base)/signin")
        try await browser.open("\(base)/runs")
        #expect(try await browser.currentURL() == "\(base)/signin")
        await browser.quit()
        for name in ["01-sign-in", "03-run-waiting", "06-report"] {
            #expect(FileManager.default.fileExists(atPath: Self.artifacts.appendingPathComponent("\(name).png").path))
        }
    }
}
