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

        // A mistyped EIN is answered beside the field, what was typed kept, and starts nothing.
        try await browser.click("a[href='/analyze']")
        try await browser.type("54-12302", into: "#ein")
        try await browser.click("#start")
        #expect(try await browser.text("#ein-error").contains("not an EIN"))
        #expect(try await browser.execute("return document.querySelector('#ein').value") as? String == "54-12302")
        try await browser.screenshot("02a-start-analysis-bad-ein")

        // Start an enhanced-tier analysis; its page follows the run until the expert review.
        _ = try await browser.execute("document.querySelector('#ein').value = ''")
        try await browser.type("54-1230284", into: "#ein")
        try await browser.click("#tier option[value='enhanced_tier']")
        try await browser.screenshot("02-start-analysis")
        try await browser.click("#start")
        let runURL = try await browser.url { $0.hasPrefix("\(base)/runs/run_") }
        #expect(runURL.hasPrefix("\(base)/runs/run_"))
        #expect(try await waitFor(browser, "#run-status", toRead: "waiting"))
        #expect(try await browser.pageSource().contains("step-expert_review"))
        #expect(try await browser.text("h1").hasPrefix("Virginia Primary Care Assn Inc"))
        try await browser.screenshot("03-run-waiting")

        // The runs page names the organization, its EIN and the tier, and tells runs apart by the end of their ids.
        try await browser.open("\(base)/runs")
        let runID = String(runURL.dropFirst("\(base)/runs/".count))
        let row = "#runs tr:has(a[href='/runs/\(runID)'])"
        #expect(try await browser.text("\(row) td:nth-child(1)") == "Virginia Primary Care Assn Inc")
        #expect(try await browser.text("\(row) td:nth-child(2)") == "54-1230284")
        #expect(try await browser.text("\(row) td:nth-child(3)") == "Enhanced")
        #expect(try await browser.text("\(row) td:nth-child(7)") == "…" + runID.suffix(8))
        try await browser.screenshot("03a-runs")
        try await browser.open(runURL)

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

        // Answer it from the approvals inbox: the organization in plain words, a draft report, no decision made for the reviewer.
        try await browser.click("#answer-link")
        // (Other tests on the same home may leave runs waiting: answer this run's question.)
        let card = "[id='\(runID)-expert_review']"
        #expect(try await browser.text("\(card) h2") == "Enhanced analysis of Virginia Primary Care Assn Inc (54-1230284)")
        #expect(try await browser.find("\(card) a.draft-report").isEmpty == false)
        let form = "form[action='/approvals/\(runID)']"
        #expect(try await browser.execute("return document.querySelector(\"\(form) input[value=approve]\").checked") as? Bool == false)
        #expect(try await browser.execute("return document.querySelector(\"\(form) input[value=reject]\").checked") as? Bool == false)
        try await browser.type("Checked in the browser against the 990s", into: "\(form) textarea[name=comment]")
        try await browser.type("Reserves are 10.1 months, not 10", into: "\(form) textarea[name=corrections]")
        try await browser.click("\(form) input[value=approve]")
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
        let facts = try await browser.text("#facts")
        #expect(facts.contains("54-1230284") && facts.contains("501(c)(3)") && facts.contains("June 1984"))
        #expect(facts.contains("$7,910,303 in FY2024 (Apr 2023–Mar 2024)"))
        #expect(try await browser.text("#filings").contains("FY2022 (Apr 2021–Mar 2022)"))
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

    /// The HTML reports of three kinds of organization, looked at as a reader would: on screen and
    /// printed on A4 (screenshots and PDFs in `.build/test-artifacts/reports/`).
    @Test func reportsOfThreeKindsOfOrganizationRenderAndPrint() async throws {
        let cli = AnalyzeTests.shared
        let folder = CLIHarness.packageRoot.appendingPathComponent(".build/test-artifacts/reports")
        let browser = try await WebDriver(artifacts: folder)
        defer { Task { await browser.quit() } }
        // A 990 filer known from ProPublica, a 990-PF known from its XML, an organization known only from the BMF.
        for (ein, kind) in [("54-1230284", "propublica-990"), ("14-1833603", "xml-990pf"), ("52-1167581", "bmf-only")] {
            let path = folder.appendingPathComponent("\(kind).html").path
            let result = try cli.run("analyze", ein, "--tier", "complete", "--format", "html", "--out", path)
            #expect(result.stderr.contains("wrote \(path)"), "\(result.stderr)")
            try await browser.open("file://\(path)")
            let heading = try await browser.text("h1")
            #expect(!heading.isEmpty)
            let body = try await browser.text("body")
            for forbidden in ["`", "CATALYNX", "_tier", "completeness_score", "depends on", "(unnamed)", "501(c)(92)"] {
                #expect(!body.contains(forbidden), "\(kind): the page says \(forbidden)")
            }
            #expect(body.contains("Prepared by Catalynx"))
            try await browser.screenshot(kind)
            let pdf = try await browser.printPDF(kind)
            let printed = try Data(contentsOf: pdf)
            #expect(printed.starts(with: Data("%PDF".utf8)) && printed.count > 10_000, "\(kind): \(printed.count) bytes of PDF")
        }
    }
}
