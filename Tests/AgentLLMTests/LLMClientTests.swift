import AgentSchema
import Foundation
import Synchronization
import TestSupport
import Testing
@testable import AgentLLM

/// The clients against a local fake of the OpenAI and Anthropic APIs: no test calls the internet.
@Suite("LLM clients", .serialized)
struct LLMClientTests {
    let messages = [PromptMessage(role: "system", content: "Be brief."), PromptMessage(role: "user", content: "Hi")]

    /// Collects the call records a client reports.
    final class Recorder: Sendable {
        private let records = Mutex<[LLMCallRecord]>([])
        var all: [LLMCallRecord] { records.withLock { $0 } }
        var record: @Sendable (LLMCallRecord) -> Void { { record in self.records.withLock { $0.append(record) } } }
    }

    func collect() -> (Recorder, @Sendable (LLMCallRecord) -> Void) {
        let recorder = Recorder()
        return (recorder, recorder.record)
    }

    @Test func openAIJSONAndStreamingGiveTextTokensAndCost() async throws {
        let fake = try FakeLLMProvider { _ in "Hello there, friend." }
        defer { fake.shutdown() }
        let client = OpenAIClient(name: "Local", provider: "openai-generic", baseURL: fake.baseURL, apiKey: "sk-test", model: "gpt-4o-mini")
        let (records, record) = collect()
        let whole = try await client.complete(LLMRequest(messages: messages), record: record)
        #expect(whole.text == "Hello there, friend.")
        #expect(whole.usage == TokenUsage(inputTokens: 120, outputTokens: 40))
        let partials = Mutex<[String]>([])
        let streamed = try await client.complete(LLMRequest(messages: messages, stream: true, onPartial: { text in partials.withLock { $0.append(text) } }),
                                                 record: record)
        #expect(streamed.text == "Hello there, friend." && streamed.usage.outputTokens == 40)
        #expect(partials.withLock { $0.count } == 3 && partials.withLock { $0.first } == "Hello t")
        let calls = records.all
        #expect(calls.count == 2)
        #expect(abs((calls[0].costUSD ?? 0) - (120 * 0.15 + 40 * 0.60) / 1_000_000) < 1e-12)
        #expect(fake.requests.first?["messages"] as? [[String: String]] == [["role": "system", "content": "Be brief."], ["role": "user", "content": "Hi"]])
    }

    @Test func anthropicMovesSystemMessagesAndStreams() async throws {
        let fake = try FakeLLMProvider { _ in "Bonjour." }
        defer { fake.shutdown() }
        let client = AnthropicClient(name: "Claude", baseURL: fake.baseURL, apiKey: "key", model: "claude-3-5-haiku-latest")
        let (_, record) = collect()
        let whole = try await client.complete(LLMRequest(messages: messages), record: record)
        let streamed = try await client.complete(LLMRequest(messages: messages, stream: true), record: record)
        #expect(whole.text == "Bonjour." && streamed.text == "Bonjour." && streamed.usage == TokenUsage(inputTokens: 120, outputTokens: 40))
        #expect(fake.requests.first?["system"] as? String == "Be brief.")
        #expect((fake.requests.first?["messages"] as? [[String: String]])?.map { $0["role"] } == ["user"])
    }

    @Test func failuresAreClassifiedRetriedAndFallenBackFrom() async throws {
        let flaky = try FakeLLMProvider(script: [.status(429), .status(500)]) { _ in "ok" }
        defer { flaky.shutdown() }
        let policy = try #require(try BAMLParser.parse("retry_policy Quick {\n max_retries 2\n strategy { type constant_delay delay_ms 5 }\n}").retryPolicies["Quick"])
        let base = OpenAIClient(name: "Flaky", provider: "openai", baseURL: flaky.baseURL, apiKey: "k", model: "gpt-4o")
        let (records, record) = collect()
        let answer = try await RetryingClient(base, policy: policy).complete(LLMRequest(messages: messages), record: record)
        #expect(answer.text == "ok")
        #expect(records.all.map { $0.error == nil } == [false, false, true])

        let broken = try FakeLLMProvider(script: [.malformed, .status(401)]) { _ in "never" }
        defer { broken.shutdown() }
        let bad = OpenAIClient(name: "Bad", provider: "openai", baseURL: broken.baseURL, apiKey: "k", model: "gpt-4o")
        await #expect(throws: LLMError.self) { try await bad.complete(LLMRequest(messages: messages), record: record) }
        do {
            _ = try await bad.complete(LLMRequest(messages: messages), record: record)
        } catch {
            #expect(error.kind == .unauthorized && !error.isRetryable)
        }
        let fallback = FallbackClient(name: "Both", clients: [UnconfiguredClient(name: "Missing", reason: "OPENAI_API_KEY is not set"), base])
        #expect(try await fallback.complete(LLMRequest(messages: messages), record: record).client == "Flaky")
        let none = FallbackClient(name: "None", clients: [UnconfiguredClient(name: "A", reason: "x"), UnconfiguredClient(name: "B", reason: "y")])
        do {
            _ = try await none.complete(LLMRequest(messages: messages), record: record)
        } catch {
            #expect(error.kind == .notConfigured)
        }
    }

    @Test func aStalledServerTimesOut() async throws {
        // The stall is far longer than the timeout: under a loaded machine the client's deadline, which hops
        // through the cooperative pool, can fire a second late (CI once saw the stalled answer arrive first).
        let slow = try FakeLLMProvider(script: [.stall(seconds: 30)]) { _ in "late" }
        defer { slow.shutdown() }
        let client = OpenAIClient(name: "Slow", provider: "openai-generic", baseURL: slow.baseURL, apiKey: nil, model: "m", timeout: .milliseconds(300))
        let (_, record) = collect()
        do {
            _ = try await client.complete(LLMRequest(messages: messages), record: record)
            Issue.record("expected a timeout")
        } catch {
            #expect(error.kind == .timeout && error.isRetryable && error.message.contains("300 ms"), "\(error)")
        }
    }

    @Test func clientsComeFromBAMLWithKeysFromTheEnvironment() async throws {
        let schema = try BAMLParser.parse("""
            client<llm> A { provider openai options { model "gpt-4o-mini" api_key env.MY_KEY } }
            client<llm> B { provider openai-generic options { base_url env.MY_URL model "llama3" } }
            client<llm> Both { provider round-robin options { strategy [A, B] } }
            """)
        let unset = ClientFactory(schema: schema, environment: [:])
        let (_, record) = collect()
        do {
            _ = try await unset.client(named: "A").complete(LLMRequest(messages: messages), record: record)
        } catch {
            #expect(error.kind == .notConfigured && error.message == "MY_KEY is not set")
        }
        let fake = try FakeLLMProvider { _ in "from B" }
        defer { fake.shutdown() }
        let set = ClientFactory(schema: schema, environment: ["MY_URL": fake.baseURL])
        #expect(try await set.client(named: "Both").complete(LLMRequest(messages: messages), record: record).text == "from B")
        #expect(fake.requests.first?["model"] as? String == "llama3")
    }

    @Test func functionCallsParseTheAnswerAndRetryOnceWithTheError() async throws {
        let fake = try FakeLLMProvider(script: [.text("I am not sure what you mean.")]) { _ in "```json\n{\"level\": \"high\", \"reasons\": [\"thin reserves\"],}\n```" }
        defer { fake.shutdown() }
        let schema = try BAMLParser.parse("""
            enum Level { LOW HIGH }
            class Judgement { level Level
              reasons string[] }
            client<llm> Local { provider openai-generic options { base_url env.URL model "gpt-4o-mini" } }
            function Judge(facts: string) -> Judgement {
              client Local
              prompt #"{{ _.role("user") }} {{ facts }} {{ ctx.output_format }}"#
            }
            """)
        let caller = FunctionCaller(schema: schema, factory: ClientFactory(schema: schema, environment: ["URL": fake.baseURL]))
        let result = try await caller.call("Judge", arguments: ["facts": .string("reserves of two weeks")])
        #expect(result.value == .object([.init("level", .string("HIGH")), .init("reasons", .list([.string("thin reserves")]))]))
        #expect(result.calls.count == 2)
        let retry = try #require(fake.requests.last?["messages"] as? [[String: String]])
        #expect(retry.count == 3 && retry[1]["role"] == "assistant" && retry[2]["content"]?.contains("could not be read as Judgement") == true)
    }
}
