import AgentCore
import Foundation
import Testing
import TestSupport

/// OpenTelemetry end to end: the built binary exports its spans over OTLP/HTTP (protobuf) to a
/// collector on loopback, and a run paused in one process and finished in another is one trace.
@Suite("CLI: traces", .serialized)
struct TracingTests {
    @Test func aRunPausedInOneProcessAndFinishedInAnotherIsOneTraceWithItsStepAndModelSpans() throws {
        let collector = try OTLPCollector()
        defer { collector.shutdown() }
        let fake = try FakeLLMProvider { _ in #"{"intent": "done", "answer": "sent"}"# }
        defer { fake.shutdown() }
        var cli = try CLIHarness()
        let bamlDirectory = cli.home + "/baml_src"
        try FileManager.default.createDirectory(atPath: bamlDirectory, withIntermediateDirectories: true)
        try AgentStepCLITests.baml.write(toFile: bamlDirectory + "/agent.baml", atomically: true, encoding: .utf8)
        cli.extraEnvironment = [
            "OTEL_EXPORTER_OTLP_ENDPOINT": collector.endpoint, "OTEL_EXPORTER_OTLP_PROTOCOL": "http/protobuf", "OTEL_EXPORTER_OTLP_COMPRESSION": "none",
            "CATALYNX_BAML_DIR": bamlDirectory, "CATALYNX_LLM_BASE_URL": fake.baseURL, "OPENAI_API_KEY": "", "ANTHROPIC_API_KEY": "",
        ]
        let workflow = try cli.write("traced.yaml", """
            workflow: traced
            steps:
              - { name: draft, tool: echo, inputs: { value: "draft" } }
              - { name: send, tool: echo, depends_on: [draft], requires_approval: true, inputs: { value: "sent" } }
              - name: wrap_up
                depends_on: [send]
                inputs: { topic: "the letter" }
                agent: { function: NextStep, tools: [echo] }
            """)
        let paused = try cli.run("run", workflow, "--format", "json")
        #expect(paused.status == 3, "\(paused.stderr)")
        let runID = try #require(paused.json?["run_id"]?.stringValue)
        let done = try cli.run("approvals", "respond", runID, "--decision", "approve", "--format", "json")
        #expect(done.status == 0, "\(done.stderr)")

        let spans = collector.spans
        #expect(collector.exportContentTypes.allSatisfy { $0 == "application/x-protobuf" } && !spans.isEmpty, "\(collector.exportContentTypes)")
        let traceID = EngineTracing.traceID(ofRun: runID)
        #expect(spans.allSatisfy { $0.traceID == traceID }, "\(spans)")
        let drives = spans.filter { $0.name == "run traced" }
        #expect(drives.count == 2 && Set(drives.map(\.parentSpanID)).count == 1, "both processes' drives under the run's parent: \(drives)")
        #expect(drives.allSatisfy { $0.attributes["catalynx.run_id"] == runID })
        func span(_ name: String) -> OTLPCollector.Span? { spans.first { $0.name == name } }
        let draft = try #require(span("step draft"), "\(spans)")
        #expect(draft.attributes["catalynx.tool"] == "echo" && draft.attributes["catalynx.attempt"] == "1")
        #expect(drives.contains { $0.spanID == draft.parentSpanID })
        let decide = try #require(span("step wrap_up turn 1: the model decides"), "\(spans)")
        let llm = try #require(span("llm Scripted"), "\(spans)")
        #expect(llm.parentSpanID == decide.spanID)
        #expect(llm.attributes["gen_ai.request.model"] == "scripted-model" && llm.attributes["gen_ai.usage.input_tokens"] == "120")
        #expect(drives.contains { $0.spanID == decide.parentSpanID } && decide.parentSpanID != draft.parentSpanID, "the second drive")
    }

    @Test func withoutAnEndpointNothingIsExported() throws {
        let collector = try OTLPCollector()
        defer { collector.shutdown() }
        var cli = try CLIHarness()
        cli.extraEnvironment = ["OTEL_EXPORTER_OTLP_ENDPOINT": "", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": ""]
        let result = try cli.run("run", CLIHarness.example("hello.yaml"))
        #expect(result.status == 0, "\(result.stderr)")
        #expect(collector.spans.isEmpty && collector.exportContentTypes.isEmpty)
    }
}
