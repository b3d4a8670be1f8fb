import AgentSchema
import Foundation

/// A message's content as each provider's API takes it, built the way BAML builds its requests:
/// plain text stays a string; with media, a list of parts: OpenAI's `text` / `image_url` /
/// `input_audio` / `file`, Anthropic's `text` / `image` / `audio` / `document`, Google's `text` /
/// `inline_data`.
///
/// BAML downloads a URL the API cannot take (audio and PDFs for OpenAI, PDFs for Anthropic,
/// anything for Google); Catalynx never fetches on a prompt's behalf, so those are refused with
/// a message saying to give the file or its base64.
public enum ProviderContent {
    /// The APIs whose content parts differ.
    public enum API: Sendable {
        case openAI, anthropic, google

        /// The API a BAML provider speaks; nil for strategies (fallback, round-robin).
        public init?(provider: String) {
            switch provider {
            case "anthropic", "aws-bedrock": self = .anthropic
            case "google-ai", "vertex-ai": self = .google
            case "fallback", "round-robin": return nil
            default: self = .openAI
            }
        }
    }

    /// The content of `message` for `api`: its text when it is only text, else its parts, each
    /// with the message's role metadata (`cache_control`).
    public static func content(_ message: PromptMessage, for api: API, client: String) throws(LLMError) -> BAMLValue {
        if !message.hasMedia, message.metadata.isEmpty { return .string(message.content) }
        var parts: [BAMLValue] = []
        for part in message.parts {
            let fields: [BAMLValue.Field]
            switch part {
            case .text(let text): fields = api == .google ? [.init("text", .string(text))] : [.init("type", .string("text")), .init("text", .string(text))]
            case .media(let media): fields = try mediaPart(media, for: api, client: client)
            }
            parts.append(.object(fields + message.metadata))
        }
        return .list(parts)
    }

    /// The fields of a media part.
    private static func mediaPart(_ media: PromptMedia, for api: API, client: String) throws(LLMError) -> [BAMLValue.Field] {
        let inline: (base64: String, mediaType: String)?
        do { inline = try media.inlineData() } catch { throw LLMError(.badRequest, error.message, client: client) }
        func needsData(_ apiName: String) -> LLMError {
            LLMError(.badRequest, "\(apiName) takes \(media.kind.rawValue) as data, not a URL: give it as {\"file\": …} or {\"base64\": …}", client: client)
        }
        func fields(_ pairs: [(String, BAMLValue)]) -> [BAMLValue.Field] { pairs.map { .init($0.0, $0.1) } }
        func object(_ pairs: [(String, BAMLValue)]) -> BAMLValue { .object(fields(pairs)) }
        let url: String? = if case .url(let url) = media.source { url } else { nil }
        switch api {
        case .openAI:
            let dataURL = inline.map { "data:\($0.mediaType);base64,\($0.base64)" }
            switch media.kind {
            case .image:
                return fields([("type", .string("image_url")), ("image_url", object([("url", .string(url ?? dataURL ?? ""))]))])
            case .audio:
                guard let inline else { throw needsData("OpenAI") }
                let subtype = inline.mediaType.split(separator: "/", maxSplits: 1).dropFirst().first.map(String.init) ?? ""
                return fields([("type", .string("input_audio")), ("input_audio", object([("data", .string(inline.base64)), ("format", .string(subtype == "mpeg" ? "mp3" : subtype))]))])
            case .pdf:
                guard let dataURL else { throw needsData("OpenAI") }
                return fields([("type", .string("file")), ("file", object([("filename", .string("document.pdf")), ("file_data", .string(dataURL))]))])
            default:
                throw LLMError(.badRequest, "OpenAI's chat completions do not take video; send frames as images", client: client)
            }
        case .anthropic:
            let type: String
            switch media.kind {
            case .image: type = "image"
            case .audio: type = "audio"
            case .pdf: type = "document"
            default: throw LLMError(.badRequest, "Anthropic's models do not take video; send frames as images", client: client)
            }
            if let url, media.kind == .image { return fields([("type", .string(type)), ("source", object([("type", .string("url")), ("url", .string(url))]))]) }
            guard let inline else { throw needsData("Anthropic") }
            return fields([("type", .string(type)), ("source", object([("type", .string("base64")), ("media_type", .string(inline.mediaType)), ("data", .string(inline.base64))]))])
        case .google:
            guard let inline else { throw needsData("Google") }
            return fields([("inline_data", object([("mime_type", .string(inline.mediaType)), ("data", .string(inline.base64))]))])
        }
    }
}

extension BAMLValue {
    /// The value as a Foundation JSON object (for request bodies).
    var jsonObject: Any {
        switch self {
        case .null: NSNull()
        case .bool(let flag): flag
        case .int(let number): number
        case .float(let number): number
        case .string(let text): text
        case .list(let items): items.map(\.jsonObject)
        case .object(let fields): Dictionary(fields.map { ($0.key, $0.value.jsonObject) }, uniquingKeysWith: { _, last in last })
        }
    }
}
