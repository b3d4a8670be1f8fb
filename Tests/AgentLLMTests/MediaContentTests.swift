import AgentSchema
import Foundation
import TestSupport
import Testing
@testable import AgentLLM

/// Media inputs as the providers' content parts, exactly as baml-py 0.226.3 builds them for the
/// same functions and arguments (`Fixtures/media/expected.json`, from
/// `Benchmarks/peers/baml_render_reference.py`).
@Suite("Media in prompts")
struct MediaContentTests {
    let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/media")

    @Test func everyFunctionSendsItsMediaAsBAMLDoes() throws {
        let schema = try BAMLParser.parse(files: BAMLParser.sources(inDirectory: folder.path))
        let arguments = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: folder.appendingPathComponent("arguments.json"))) as? [String: [String: Any]])
        let expected = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: folder.appendingPathComponent("expected.json"))) as? [String: [[Any]]])
        #expect(expected.count == arguments.count && expected.count >= 10)
        let renderer = PromptRenderer(schema: schema)
        for (function, messages) in expected.sorted(by: { $0.key < $1.key }) {
            let rendered = try renderer.render(function: function, arguments: (arguments[function] ?? [:]).mapValues(Self.baml), filesRelativeTo: folder.path)
            let client = try #require(schema.functions[function]).client
            let api = try #require(ProviderContent.API(provider: renderer.provider(of: client)))
            let ours: [[Any]] = try rendered.map { message in
                [message.role, try ProviderContent.content(message, for: api, client: client).jsonObject]
            }
            #expect(NSArray(array: ours).isEqual(to: messages), "\(function)")
        }
    }

    @Test func aURLTheAPICannotTakeIsRefusedWithWhatToDoInstead() throws {
        let message = PromptMessage(role: "user", parts: [.text("Hear"), .media(PromptMedia(kind: .audio, source: .url("https://example.org/a.mp3")))])
        #expect(throws: LLMError.self) { try ProviderContent.content(message, for: .openAI, client: "GPT") }
        do {
            _ = try ProviderContent.content(message, for: .openAI, client: "GPT")
        } catch {
            #expect(error.message.contains("not a URL") && error.message.contains("base64"))
        }
        let video = PromptMessage(role: "user", parts: [.media(PromptMedia(kind: .video, source: .base64("AAAA"), mediaType: "video/mp4"))])
        #expect(throws: LLMError.self) { try ProviderContent.content(video, for: .anthropic, client: "Claude") }
        let missing = PromptMessage(role: "user", parts: [.media(PromptMedia(kind: .image, source: .file("/nonexistent/seal.png")))])
        #expect(throws: LLMError.self) { try ProviderContent.content(missing, for: .openAI, client: "GPT") }
    }

    @Test func aMediaArgumentWithoutASourceIsABadArgument() throws {
        let schema = try BAMLParser.parse(files: BAMLParser.sources(inDirectory: folder.path))
        do {
            _ = try PromptRenderer(schema: schema).render(function: "Transcribe", arguments: ["clip": .object([.init("path", .string("a.mp3"))])])
            Issue.record("rendered without a source")
        } catch {
            #expect(error.message.contains("argument clip of Transcribe") && error.message.contains("{\"url\": …}"))
        }
    }

    @Test func theOpenAIClientSendsTheParts() async throws {
        let fake = try FakeLLMProvider { _ in "A seal." }
        defer { fake.shutdown() }
        let client = OpenAIClient(name: "Local", provider: "openai", baseURL: fake.baseURL, apiKey: "sk-test", model: "gpt-4o")
        let image = PromptMedia(kind: .image, source: .base64("iVBORw0KGgo="), mediaType: "image/png")
        _ = try await client.complete(LLMRequest(messages: [PromptMessage(role: "user", parts: [.text("What is this?"), .media(image)])]), record: { _ in })
        let sent = try #require((fake.requests.first?["messages"] as? [[String: Any]])?.first?["content"] as? [[String: Any]])
        #expect(sent.count == 2 && sent[1]["type"] as? String == "image_url")
        #expect((sent[1]["image_url"] as? [String: String])?["url"] == "data:image/png;base64,iVBORw0KGgo=")
    }

    /// A fixture's JSON value as a BAML value (object members in key order; the fixture has no booleans).
    static func baml(_ value: Any) -> BAMLValue {
        switch value {
        case let text as String: return .string(text)
        case let number as NSNumber:
            return number.doubleValue == number.doubleValue.rounded() ? .int(number.intValue) : .float(number.doubleValue)
        case let items as [Any]: return .list(items.map(baml))
        case let members as [String: Any]: return .object(members.keys.sorted().map { BAMLValue.Field($0, baml(members[$0]!)) })
        default: return .null
        }
    }
}
