import AgentCore
import Foundation
import Testing
import TestSupport

/// An agent step end to end: the built binary, a BAML function on a scripted OpenAI-compatible
/// server on loopback, a real SQLite file and a real SIGKILL in the middle of the loop.
@Suite("CLI: agent steps", .serialized)
struct AgentStepCLITests {
    static let baml = """
        retry_policy Quick {
          max_retries 1
          strategy { type constant_delay delay_ms 10 }
        }

        client<llm> Scripted {
          provider openai-generic
          retry_policy Quick
          options {
            base_url env.CATALYNX_LLM_BASE_URL
            model "scripted-model"
          }
        }

        class Echo {
          intent "echo"
          value string
        }

        class Write {
          intent "append_line"
          file string
          text string
        }

        class Finish {
          intent "done"
          answer string
        }

        function NextStep(thread: string, topic: string) -> Echo | Write | Finish {
          client Scripted
          prompt #"
            Work on {{ topic }}, one tool at a time.
            {{ ctx.output_format }}
            {{ _.role("user") }}
            {{ thread }}
          "#
        }
        """

    static let workflow = """
        workflow: letter
        steps:
          - name: write_letter
            inputs: { topic: "a letter to a funder" }
            agent:
              function: NextStep
              tools: [echo, append_line]
              max_turns: 6
              policy: { append_line: approve }
        """

    /// The text of every message of a recorded request.
    static func prompt(_ request: [String: Any]) -> String {
        ((request["messages"] as? [[String: Any]]) ?? []).compactMap { $0["content"] as? String }.joined(separator: "\n")
    }

    @Test func anAgentLoopSurvivesAKillAndAnApprovalWithAnEditedCall() throws {
        let fake = try FakeLLMProvider(script: [
            .status(429),                                        // turn 1: rate limited, the client's retry policy tries again
            .text("I would like to look something up first."),  // garbage: asked again once with the parse error
            .text("Still thinking."),                            // garbage again: the turn is an error in the thread
            .text(#"{"intent": "echo", "value": "the funder gives in Virginia"}"#),  // turn 2
            .stall(seconds: 120),                                // turn 3: the process is killed while the model thinks
            .text(#"Sure: {"intent": "append_line", "file": "letters.log", "text": "Dear funder"}"#),  // turn 3, asked again after the restart
            .text(#"{"intent": "done", "answer": "the letter is written"}"#),  // turn 4
        ]) { _ in #"{"intent": "done", "answer": "unscripted"}"# }
        defer { fake.shutdown() }
        var cli = try CLIHarness()
        let bamlDirectory = cli.home + "/baml_src"
        try FileManager.default.createDirectory(atPath: bamlDirectory, withIntermediateDirectories: true)
        try Self.baml.write(toFile: bamlDirectory + "/agent.baml", atomically: true, encoding: .utf8)
        cli.extraEnvironment = ["CATALYNX_BAML_DIR": bamlDirectory, "CATALYNX_LLM_BASE_URL": fake.baseURL, "OPENAI_API_KEY": "", "ANTHROPIC_API_KEY": ""]
        let workflow = try cli.write("letter.yaml", Self.workflow)

        let (process, _, _) = try cli.launch(["run", workflow])
        #expect(CLIHarness.waitUntil(timeout: 60) { fake.requests.count == 5 })
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        #expect(process.terminationReason == .uncaughtSignal)

        let listed = try cli.run("runs", "list", "--format", "json")
        let runID = try #require(listed.json?.arrayValue?.first?["id"]?.stringValue, "\(listed.stdout) \(listed.stderr)")
        let waiting = try cli.run("runs", "resume", runID, "--format", "json")
        #expect(waiting.status == 3, "\(waiting.stderr)")                 // waits for the approval of the call
        #expect(waiting.json?["status"] == "waiting")
        #expect(fake.requests.count == 6)                                // turns 1 and 2 were not asked again
        let resumedPrompt = Self.prompt(fake.requests[5])
        #expect(resumedPrompt.contains("<echo_result>\nvalue: the funder gives in Virginia\n</echo_result>"))
        #expect(resumedPrompt.contains("<error source=\"model\">\nUnreadableAnswer:"))
        #expect(resumedPrompt.contains("<inputs>\ntopic: a letter to a funder\n</inputs>"))
        #expect(!FileManager.default.fileExists(atPath: cli.sandbox + "/letters.log"))  // chosen, not executed

        let approvals = try cli.run("approvals", "show", runID, "--format", "json")
        let request = approvals.json?.arrayValue?.first?["request"]
        #expect(request?["kind"] == "approval" && request?["tool"] == "append_line" && request?["inputs"]?["text"] == "Dear funder",
                "\(approvals.stdout) \(approvals.stderr)")
        let done = try cli.run("approvals", "respond", runID, "--decision", "approve", "--input", "text=Dear Ms Rivera", "--by", "ann", "--format", "json")
        #expect(done.status == 0, "\(done.stderr)")
        #expect(done.json?["status"] == "completed")
        #expect(done.json?["steps"]?["write_letter"]?["output"]?["answer"] == "the letter is written", "\(done.stdout)")
        let letters = try String(contentsOfFile: cli.sandbox + "/letters.log", encoding: .utf8)
        #expect(letters == "Dear Ms Rivera\t\(runID)/write_letter/1/3\n")    // the edited call, executed once
        #expect(fake.requests.count == 7)

        let events = try cli.run("runs", "events", runID, "--format", "json").stdout.split(separator: "\n").compactMap { try? Value(json: String($0)) }
        let turns = events.filter { $0["type"] == "AgentDecided" }.map { $0["intent"]?.stringValue ?? "?" }
        #expect(turns == ["echo", "append_line", "done"])
        #expect(events.filter { $0["type"] == "AgentObserved" }.compactMap { $0["error_type"]?.stringValue } == ["UnreadableAnswer"])
        let shown = try cli.run("runs", "show", runID)
        #expect(shown.stdout.contains("write_letter"), "\(shown.stdout)")
    }

    @Test func withoutAModelTheAgentStepTakesItsFallback() throws {
        var cli = try CLIHarness()
        cli.extraEnvironment = ["CATALYNX_LLM_BASE_URL": "", "OPENAI_API_KEY": "", "ANTHROPIC_API_KEY": ""]
        let workflow = try cli.write("fallback.yaml", """
            workflow: fallback
            steps:
              - name: investigate
                inputs: { value: "from the rules" }
                agent: { function: ResearchFunder, tools: [echo], fallback: echo }
            """)
        let result = try cli.run("run", workflow, "--format", "json")
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.json?["steps"]?["investigate"]?["output"] == ["value": "from the rules"], "\(result.stdout)")
    }
}
