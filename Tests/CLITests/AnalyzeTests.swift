import AgentCore
import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import TestSupport
import Testing

/// `catalynx analyze` end to end: the built binary on a fresh home that loads the embedded dataset.
@Suite("Analyze", .serialized)
struct AnalyzeTests {
    /// One home for the suite: the first command loads the embedded dataset into it.
    static let shared: CLIHarness = {
        let harness = try! CLIHarness()
        _ = try! harness.run("org", "show", "54-1230284")
        return harness
    }()

    func number(_ value: Value?) -> Double? {
        switch value {
        case .double(let number): number
        case .int(let number): Double(number)
        default: nil
        }
    }

    @Test func theCompleteAnalysisIsTheSameOnPostgreSQLAsOnSQLite() async throws {
        var postgres = try CLIHarness()
        postgres.extraEnvironment["CATALYNX_DATABASE_URL"] = try await TestPostgres.freshDatabase()
        var analyses: [Value] = []
        for cli in [Self.shared, postgres] {
            let result = try cli.run("analyze", "54-1230284", "--tier", "complete", "--format", "json")
            #expect(result.status == 0, "\(result.stderr)")
            guard case .object(var fields)? = result.json else { Issue.record("no JSON: \(result.stdout.prefix(300))"); return }
            for key in ["run_id", "export_directory", "exports", "llm_usage", "step_durations_ms"] { fields[key] = nil }
            analyses.append(.object(fields))
        }
        #expect(analyses[0]["peers"] != nil && analyses[0]["funders"] != nil && analyses[0]["landscape"] != nil && analyses[0]["network"] != nil)
        #expect(analyses[0] == analyses[1], "the organization databases disagree")
    }

    @Test func everyTierAnalyzesARealVirginiaNonprofit() throws {
        let cli = Self.shared
        for tier in ["current", "standard", "enhanced", "complete"] {
            let result = try cli.run("analyze", "54-1230284", "--tier", tier, "--format", "json")
            #expect(result.status == 0, "\(tier): \(result.stderr)")
            let json = try #require(result.json, "\(tier) printed no JSON: \(result.stdout.prefix(300))")
            #expect(json["status"] == "completed" && json["verdict"] == "complete")
            #expect(json["workflow"] == .string("\(tier)_tier_analysis"))
            #expect(json["organization"]?["name"] == "Virginia Primary Care Assn Inc")
            // FY2022 by hand: net assets 5,428,095 / expenses 6,445,626 × 12 = 10.106; liabilities 885,801 / assets 6,313,896 = 0.1403.
            let latest = json["metrics"]?["latest"]
            #expect(abs((number(latest?["months_of_reserve"]) ?? 0) - 10.106) < 0.001)
            #expect(abs((number(latest?["liabilities_to_assets"]) ?? 0) - 0.1403) < 0.0001)
            #expect(latest?["program_expense_ratio"] == nil)   // ProPublica has no Part IX split…
            #expect(latest?["unavailable"]?["program_expense_ratio"] != nil)   // …and says so
            #expect(json["risk"]?["level"] == "moderate")
            #expect(json["risk"]?["dimensions"]?.arrayValue?.count == 6)
            #expect(json["quality_gates"]?["data_sufficiency"]?["outcome"] == "passed")
            #expect(number(json["data_quality"]?["completeness_score"]).map { $0 > 0.6 } == true)
            let tiered = tier != "current"
            #expect((json["peers"] != nil) == tiered && (json["funders"] != nil) == tiered, "\(tier)")
            if tiered {
                #expect(json["funders"]?["threshold"] == .double(0.5))
                let funders = json["funders"]?["funders"]?.arrayValue ?? []
                #expect(!funders.isEmpty)
                #expect(funders.first?["dimensions"]?.arrayValue?.count == 7)
                // A funder only fits on evidence: none passes without giving on record.
                #expect(funders.allSatisfy { $0["passes"] != .bool(true) || $0["has_giving_history"] == .bool(true) })
                // The embedded data hold few grant records, and the analysis says so.
                #expect((json["funders"]?["notes"]?.arrayValue?.count ?? 0) > 0)
            }
            let enhanced = tier == "enhanced" || tier == "complete"
            #expect((json["network"] != nil) == enhanced && (json["review"]?["validation_type"] == "auto_approved") == enhanced, "\(tier)")
            if tier == "complete" {
                #expect(json["landscape"]?["ntee_code"] == "E31")
                let directory = try #require(json["export_directory"]?.stringValue)
                for file in ["report.json", "metrics.csv", "funders.csv", "revenue_expenses.svg"] {
                    #expect(FileManager.default.fileExists(atPath: directory + "/" + file), "missing export \(file)")
                }
            }
            // The run is recorded durably: `runs show` finds it by id.
            let runID = try #require(json["run_id"]?.stringValue)
            #expect(try cli.run("runs", "show", runID).status == 0)
        }
    }

    /// A batch writes one file per organization in every format, named by EIN and tier, and says where;
    /// it never ends well having written nothing.
    @Test(arguments: ["table", "json", "yaml", "markdown", "html"])
    func aBatchWritesOneFilePerOrganization(_ format: String) throws {
        let cli = Self.shared
        let folder = cli.home + "/batch-\(format)-\(UUID().uuidString.prefix(6))"
        let list = try cli.write("eins-\(format).txt", "# three organizations\n54-1230284\n510151069  # a second one\n\n74-1894581\n")
        let result = try cli.run("analyze", "--from-file", list, "--format", format, "--out", folder)
        #expect([0, 6].contains(result.status), "\(result.stderr)")
        let fileExtension = ["table": "txt", "json": "json", "yaml": "yaml", "markdown": "md", "html": "html"][format] ?? format
        let expected = ["51-0151069", "54-1230284", "74-1894581"].map { "\($0)_current.\(fileExtension)" }
        let files = try FileManager.default.contentsOfDirectory(atPath: folder).sorted()
        #expect(files == expected)
        #expect(result.stderr.contains("wrote 3 files for 3 organizations in \(folder)"))
        for file in files {
            let text = try String(contentsOfFile: folder + "/" + file, encoding: .utf8)
            #expect(text.count > 200, "\(file) is nearly empty")
            if format == "json" { #expect((try? Value(json: text))?["ein"] != nil, "\(file) is not one JSON document") }
        }
        let nothing = try cli.run("analyze", "86-0000099", "86-0000098", "--format", format, "--out", folder + "-none")
        #expect(nothing.status == 4)
    }

    @Test func htmlReportIsSelfContainedWithWellFormedCharts() throws {
        let cli = Self.shared
        let path = cli.home + "/report.html"
        let result = try cli.run("analyze", "54-1230284", "--tier", "complete", "--format", "html", "--out", path)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("wrote \(path)"))
        let html = try String(contentsOfFile: path, encoding: .utf8)
        #expect(html.hasPrefix("<!DOCTYPE html>") && html.hasSuffix("</html>\n"))
        #expect(html.contains("<title>Virginia Primary Care Assn Inc — Complete analysis</title>"))
        let charts = html.components(separatedBy: "<svg ").dropFirst().map { "<svg " + $0.components(separatedBy: "</svg>")[0] + "</svg>" }
        #expect(charts.count >= 4)
        for chart in charts { #expect(XMLParser(data: Data(chart.utf8)).parse()) }
        for section in ["Financial health", "Financial risk:", "Peers", "Likely funders", "Board and leadership", "The cause's landscape",
                        "Checks", "Data notes"] {
            #expect(html.contains(section), "missing section \(section)")
        }
        #expect(!html.contains("<script"))
    }

    @Test func tableFitsAnEightyColumnTerminal() throws {
        let result = try Self.shared.run("analyze", "54-1230284", "--tier", "standard")
        #expect(result.status == 0)
        #expect(result.stdout.contains("Financial risk 38 of 100, moderate (high confidence)"))
        #expect(result.stdout.contains("Funders: ") && result.stdout.contains("Peers: "))
        let long = result.stdout.split(separator: "\n").filter { $0.count > 80 }
        #expect(long.isEmpty, "lines over 80 columns: \(long)")
    }

    @Test func badInputsEndWithTheirOwnExitCodeAndAMessage() throws {
        let cli = Self.shared
        let invalid = try cli.run("analyze", "00-1234567")
        #expect(invalid.status == 2 && invalid.stderr.contains("'00-1234567' is not a valid EIN: the prefix 00 is never assigned"))
        let unknown = try cli.run("analyze", "12-3456789")
        #expect(unknown.status == 4 && unknown.stderr.contains("no organization with EIN 12-3456789 in the database"))
        let noFilings = try cli.run("analyze", "92-2064394", "--format", "json")
        #expect(noFilings.status == 5 && noFilings.stderr.contains("has no Form 990 filings on record"))
        #expect(noFilings.json?["verdict"] == "no_filings")
        #expect(noFilings.json?["skipped_steps"]?.arrayValue?.isEmpty == false)
        // A 2014 return, the newest on record, is too old for a confident risk score: the confidence gate fails.
        let gate = try cli.run("analyze", "20-1585919")
        #expect(gate.status == 6 && gate.stderr.contains("quality gate analysis_confidence failed"))
        for result in [invalid, unknown, noFilings, gate] {
            #expect(!result.stderr.contains("Fatal error") && !result.stderr.contains("Stack dump"))
        }
    }

    @Test func theExpertReviewWaitsDurablyForAReviewersAnswer() throws {
        var cli = Self.shared
        cli.extraEnvironment["CATALYNX_REVIEWERS"] = "ann"
        let waiting = try cli.run("analyze", "54-1230284", "--tier", "enhanced", "--format", "json")
        #expect(waiting.status == 3 && waiting.stderr.contains("waits for an expert review"))
        let runID = try #require(waiting.json?["run_id"]?.stringValue)
        #expect(waiting.json?["status"] == "waiting")
        // Another process, later: the question is listed from the run's events alone.
        let list = try cli.run("approvals", "list", "--format", "json")
        let open = try #require(list.json?.arrayValue?.first { $0["run_id"]?.stringValue == runID })
        #expect(open["step"] == "expert_review" && open["request"]?["choices"] == ["approve", "reject"])
        #expect(open["title"] == "Enhanced analysis of Virginia Primary Care Assn Inc (54-1230284)")
        let shown = try cli.run("approvals", "show", runID)
        #expect(shown.status == 0)
        #expect(shown.stdout.hasPrefix("Enhanced analysis of Virginia Primary Care Assn Inc (54-1230284)\n"))
        #expect(shown.stdout.contains("Findings to check:") && shown.stdout.contains("catalynx approvals respond \(runID)"))
        #expect(!shown.stdout.contains("{"), "a table, not JSON")
        #expect(try cli.run("runs", "resume", runID).status == 2)   // not overdue: resume refuses and says how to answer
        let answered = try cli.run("approvals", "respond", runID, "--decision", "reject", "--comment", "Reserves look overstated",
                                   "--by", "ann", "--format", "json")
        #expect(answered.status == 0, "\(answered.stderr)")
        let review = answered.json?["outputs"]?["review"]
        #expect(review?["validation_type"] == "human_expert" && review?["validated"] == false && review?["reviewer"] == "ann")
        #expect(review?["additional_insights"] == ["Reserves look overstated"])
        let events = try cli.run("runs", "events", runID)
        #expect(events.stdout.contains("HumanInputRequested") && events.stdout.contains("HumanInputReceived"))
        #expect(try cli.run("approvals", "respond", runID, "--decision", "approve").status == 2)   // nothing left to answer
    }

    @Test func batchFromAFileReportsEachLineAndTheWorstExitCode() throws {
        let cli = Self.shared
        let list = try cli.write("eins.txt", "# Virginia\n54-1230284\n\nnot-an-ein\n510201327  # Friends of Guest House\n")
        let result = try cli.run("analyze", "--from-file", list, "--format", "json")
        #expect(result.status == 2)
        #expect(result.stderr.contains("\(list):4: 'not-an-ein' is not a valid EIN"))
        let lines = result.stdout.split(separator: "\n").map { try? Value(json: String($0)) }
        #expect(lines.count == 2)
        #expect(lines.compactMap { $0?["ein"]?.stringValue } == ["54-1230284", "51-0201327"])
    }
}

/// The AI tools of a standard-tier analysis, against a local fake model and with none.
@Suite("Analyze with AI", .serialized)
struct AnalyzeAITests {
    static func fakeAnswer(_ request: [String: Any]) -> String {
        let prompt = ((request["messages"] as? [[String: Any]]) ?? []).compactMap { $0["content"] as? String }.joined(separator: "\n")
        if prompt.contains("grant-readiness report") {
            return #"{"headline": "A steady health association", "paragraphs": ["Reserves are solid.", "Revenue fell."], "strengths": ["reserves"], "concerns": ["concentration"]}"#
        }
        if prompt.contains("You research why a grantmaker might fund") {
            // Look the funder up first (its EIN from the step's inputs), then answer from what came back.
            guard prompt.contains("<funder_profile_tool_result>") else {
                let ein = prompt.firstMatch(of: /funder: \{.*?"ein":"(\d\d-\d{7})"/)?.1 ?? "00-0000000"
                return #"{"intent": "funder_profile_tool", "ein": "\#(ein)"}"#
            }
            return #"{"intent": "done", "answer": "It gives large grants in West Virginia, next door."}"#
        }
        if prompt.contains("Validate the following") {
            return #"Here you go: {"is_valid": true, "completeness_score": 0.9, "issues": [], "recommendations": ["file the latest 990"]}"#
        }
        return #"{"mission_summary": "Investigative journalism for San Diego.", "program_areas": [{"name": "Reporting", "description": "Investigations."}], "populations_served": ["residents"], "ntee_fit": "consistent", "keywords": ["journalism"]}"#
    }

    @Test func aiPartsArePresentWithTokensAndCostWhenAModelIsConfigured() throws {
        let fake = try FakeLLMProvider(answer: Self.fakeAnswer)
        defer { fake.shutdown() }
        var cli = AnalyzeTests.shared
        cli.extraEnvironment = ["CATALYNX_LLM_BASE_URL": fake.baseURL, "CATALYNX_LLM_MODEL": "gpt-4o-mini", "OPENAI_API_KEY": "", "ANTHROPIC_API_KEY": ""]
        let result = try cli.run("analyze", "54-1230284", "--tier", "standard", "--format", "json")
        #expect(result.status == 0, "\(result.stderr)")
        let json = try #require(result.json)
        #expect(json["narrative"]?["provenance"]?["ai"] == true, "\(json["narrative"]?["provenance"] ?? .null) \(json["llm_usage"] ?? .null)")
        #expect(json["narrative"]?["narrative"]?["headline"] == "A steady health association")
        #expect(json["ai_review"]?["review"]?["recommendations"] == ["file the latest 990"])
        #expect(json["content"]?["provenance"]?["degraded"] == true)   // no mission text in ProPublica data: nothing to read
        #expect(json["llm_usage"]?["calls"]?.arrayValue?.count == 2)
        #expect(json["llm_usage"]?["input_tokens"] == 240 && json["llm_usage"]?["output_tokens"] == 80)
        guard case .double(let cost)? = json["llm_usage"]?["cost_usd"] else { Issue.record("no cost"); return }
        #expect(abs(cost - 2 * (120 * 0.15 + 40 * 0.60) / 1_000_000) < 1e-12)   // gpt-4o-mini list price
        // The 990 XML's mission text goes to the model for an organization that has one.
        let withMission = try cli.run("analyze", "20-1585919", "--tier", "standard", "--format", "json")
        #expect(withMission.json?["content"]?["provenance"]?["ai"] == true)
        #expect(withMission.json?["content"]?["analysis"]?["mission_summary"] == "Investigative journalism for San Diego.")
        let markdown = try cli.run("analyze", "54-1230284", "--tier", "standard", "--format", "markdown")
        #expect(markdown.stdout.contains("### Who wrote what") && markdown.stdout.contains("Narrative: written by AI (gpt-4o-mini)"))
    }

    @Test func theCompleteTiersAgentLooksTheTopFunderUpBeforeSayingWhyItMightFit() throws {
        let fake = try FakeLLMProvider(answer: Self.fakeAnswer)
        defer { fake.shutdown() }
        var cli = AnalyzeTests.shared
        cli.extraEnvironment = ["CATALYNX_LLM_BASE_URL": fake.baseURL, "CATALYNX_LLM_MODEL": "gpt-4o-mini", "OPENAI_API_KEY": "", "ANTHROPIC_API_KEY": ""]
        let result = try cli.run("analyze", "54-1230284", "--tier", "complete", "--format", "json")
        #expect(result.status == 0, "\(result.stderr)")
        let json = try #require(result.json)
        let research = try #require(json["funder_research"], "\(result.stdout.prefix(400))")
        #expect(research["answer"] == "It gives large grants in West Virginia, next door.")
        #expect(research["turns"] == 2 && research["llm"]?.arrayValue?.count == 2)
        let topFunder = try #require(json["funders"]?["funders"]?.arrayValue?.first?["ein"]?.stringValue)
        let lookups = fake.requests.filter { AgentStepCLITests.prompt($0).contains("<funder_profile_tool_result>") }
        #expect(lookups.count == 1)                       // the second turn saw the profile the runtime fetched
        let lookup = try #require(lookups.first)          // a failure, not an index crash that stops the whole suite
        #expect(AgentStepCLITests.prompt(lookup).contains("<funder_profile_tool>\nein: \(topFunder)\n</funder_profile_tool>"))
        let markdown = try cli.run("analyze", "54-1230284", "--tier", "complete", "--format", "markdown")
        #expect(markdown.stdout.contains("(written by AI (gpt-4o-mini) after 2 steps of looking things up): It gives large grants"), "\(markdown.stdout)")
    }

    @Test func withoutAModelTheCompleteTiersAgentStepSaysWhyFromTheScores() throws {
        var cli = AnalyzeTests.shared
        cli.extraEnvironment = ["CATALYNX_LLM_BASE_URL": "", "OPENAI_API_KEY": "", "ANTHROPIC_API_KEY": ""]
        let result = try cli.run("analyze", "54-1230284", "--tier", "complete", "--format", "json")
        #expect(result.status == 0, "\(result.stderr)")
        let research = try #require(result.json?["funder_research"])
        #expect(research["ai"] == false)
        #expect(research["answer"]?.stringValue?.contains("of 1 as a funder of Virginia Primary Care Assn Inc") == true)
        let markdown = try cli.run("analyze", "54-1230284", "--tier", "complete", "--format", "markdown")
        #expect(markdown.stdout.contains("**How the closest funder, West Virginia First Foundation Inc, fits** (written from its scores by fixed rules):"))
        #expect(markdown.stdout.contains("- Why the top funder might fit: written from the funder's scores by fixed rules."))
    }

    @Test func withoutAModelTheAnalysisCompletesAndSaysWhatItCouldNotDo() throws {
        var cli = AnalyzeTests.shared
        cli.extraEnvironment = ["CATALYNX_LLM_BASE_URL": "", "OPENAI_API_KEY": "", "ANTHROPIC_API_KEY": ""]
        let result = try cli.run("analyze", "54-1230284", "--tier", "standard", "--format", "json")
        #expect(result.status == 0)
        let json = try #require(result.json)
        #expect(json["status"] == "completed")
        #expect(json["narrative"]?["provenance"]?["degraded"] == true)
        #expect(json["narrative"]?["provenance"]?["reason"]?.stringValue?.contains("no model is configured") == true)
        #expect(json["summary"]?["headline"] != nil)   // the rule-based summary is still there
        #expect(json["llm_usage"]?["calls"]?.arrayValue?.isEmpty == true)
    }
}
