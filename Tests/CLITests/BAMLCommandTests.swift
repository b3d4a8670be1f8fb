import AgentCore
import Foundation
import TestSupport
import Testing

/// `catalynx baml …` as a user runs it.
@Suite("CLI: baml")
struct BAMLCommandTests {
    @Test func parseFollowsTheCommandContract() throws {
        let cli = try CLIHarness()
        let cases = CLIHarness.packageRoot.appendingPathComponent("Tests/AgentSchemaTests/Fixtures/sap_sample_cases.jsonl").path
        let result = try cli.run("baml", "parse", "--cases", cases, "--repeat", "3")
        #expect(result.status == 0)
        let lines = result.stdout.split(separator: "\n").compactMap { try? Value(json: String($0)) }
        #expect(lines.count == 60)
        #expect(lines.first?["id"] == "mod.rs::test_string_from_object" && lines.first?["ok"] == true)
        #expect(lines.filter { $0["ok"] == false }.count == 4)   // the four cases BAML fails too
        #expect(result.stderr.contains("parsed 180 cases in"))
        let bad = try cli.write("bad.jsonl", "{\"id\": \"x\", \"raw\": \"1\"}\nnot json\n")
        let refused = try cli.run("baml", "parse", "--cases", bad)
        #expect(refused.status == 2 && refused.stderr.contains("bad.jsonl:2: not JSON"))
    }

    @Test func checkAndRenderShowWhereAndWhat() throws {
        let cli = try CLIHarness()
        let root = CLIHarness.packageRoot.appendingPathComponent("baml_src").path
        let ok = try cli.run("baml", "check", root)
        #expect(ok.status == 0 && ok.stdout.contains("4 functions, 4 clients"))
        let broken = try cli.write("broken.baml", "class A {\n  b Strng\n}\n")
        let result = try cli.run("baml", "check", broken)
        #expect(result.status == 2 && result.stderr.contains("broken.baml:2:3: error: unknown type 'Strng'"))
        let rendered = try cli.run("baml", "render", "WriteNarrative", "--dir", root, "--format", "json", "--args",
                                   #"{"organization": "Rapp At Home", "findings": ["thin reserves"], "risk": null}"#)
        #expect(rendered.status == 0)
        let messages = try #require(rendered.json?.arrayValue)
        #expect(messages.map { $0["role"] } == ["system", "user"])
        #expect(messages[1]["content"]?.stringValue?.contains("- thin reserves") == true)
        // Block tags end their line, as in BAML (trim_blocks): each fact keeps a line of its own.
        let withRisk = try cli.run("baml", "render", "WriteNarrative", "--dir", root, "--format", "json", "--args",
                                   #"{"organization": "Rapp At Home", "findings": ["thin reserves"], "risk": "medium"}"#)
        #expect(withRisk.json?.arrayValue?.last?["content"]?.stringValue?.contains("Rapp At Home\nRisk: medium\nFindings:\n- thin reserves") == true)
        let analysis = try cli.run("baml", "render", "AnalyzeContent", "--dir", root, "--format", "json", "--args",
                                   #"{"name": "Rapp At Home", "ntee": "P81", "mission": null, "programs": []}"#)
        #expect(analysis.json?.arrayValue?.last?["content"]?.stringValue?.contains("Rapp At Home (NTEE P81)\nMission: not stated\n") == true)
        let missing = try cli.run("baml", "render", "WriteNarrative", "--dir", root)
        #expect(missing.status == 2 && missing.stderr.contains("needs the argument organization"))
    }

    @Test func testBlocksRunAgainstTheConfiguredClient() throws {
        let fake = try FakeLLMProvider { _ in #"{"mission_summary": "Supports health centers.", "program_areas": [], "populations_served": [], "ntee_fit": "consistent", "keywords": ["health"]}"# }
        defer { fake.shutdown() }
        var cli = try CLIHarness()
        cli.extraEnvironment = ["CATALYNX_LLM_BASE_URL": fake.baseURL, "CATALYNX_LLM_MODEL": "gpt-4o-mini", "OPENAI_API_KEY": "", "ANTHROPIC_API_KEY": ""]
        let root = CLIHarness.packageRoot.appendingPathComponent("baml_src").path
        let passed = try cli.run("baml", "test", "--dir", root)
        #expect(passed.status == 0 && passed.stdout.contains("✓ VirginiaPrimaryCare (AnalyzeContent) — 160 tokens"))
        cli.extraEnvironment["CATALYNX_LLM_BASE_URL"] = ""
        let unconfigured = try cli.run("baml", "test", "AnalyzeContent", "--dir", root)
        #expect(unconfigured.status == 1 && unconfigured.stdout.contains("✗ VirginiaPrimaryCare"))
    }
}
