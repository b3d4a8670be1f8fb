import Foundation

/// A fake model API on 127.0.0.1 speaking the OpenAI chat-completions and Anthropic messages wire
/// formats, JSON and server-sent events, answering from a script of replies.
public final class FakeLLMProvider: Sendable {
    /// What one request gets: a reply text, or an HTTP failure, or a stall.
    public enum Reply: Sendable {
        case text(String)
        case status(Int)
        case malformed
        case stall(seconds: Double)
    }

    public let server: LocalHTTPServer
    private let state: State

    private final class State: @unchecked Sendable {
        let lock = NSLock()
        var requests: [[String: Any]] = []
        var script: [Reply]
        let answer: @Sendable ([String: Any]) -> String
        init(script: [Reply], answer: @escaping @Sendable ([String: Any]) -> String) {
            self.script = script
            self.answer = answer
        }
    }

    /// - Parameters:
    ///   - script: replies for the first requests, in order; after them every request gets `answer`.
    ///   - answer: the text for a request (the decoded JSON body).
    public init(script: [Reply] = [], answer: @escaping @Sendable ([String: Any]) -> String) throws {
        let state = State(script: script, answer: answer)
        self.state = state
        server = try LocalHTTPServer { path, body in
            let request = (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] ?? [:]
            let reply: Reply = state.lock.withLock {
                state.requests.append(request)
                return state.script.isEmpty ? .text(state.answer(request)) : state.script.removeFirst()
            }
            let anthropic = path.hasSuffix("/v1/messages")
            let stream = request["stream"] as? Bool ?? false
            switch reply {
            case .status(let code):
                return .init(status: code, body: Data("{\"error\": {\"message\": \"scripted \(code)\"}}".utf8))
            case .malformed:
                return .init(status: 200, body: Data("{\"choices\": [{\"message\": ".utf8))
            case .stall(let seconds):
                return .init(status: 200, body: Data("{}".utf8), delay: seconds)
            case .text(let text):
                let model = request["model"] as? String ?? "gpt-4o-mini"
                return .init(status: 200, body: Data((stream ? Self.stream(text, model: model, anthropic: anthropic)
                                                            : Self.json(text, model: model, anthropic: anthropic)).utf8),
                             headers: [("Content-Type", stream ? "text/event-stream" : "application/json")])
            }
        }
    }

    public var baseURL: String { server.baseURL }
    public var requests: [[String: Any]] { state.lock.withLock { state.requests } }
    public func shutdown() { server.shutdown() }

    static func encode(_ object: Any) -> String {
        String(decoding: (try? JSONSerialization.data(withJSONObject: object)) ?? Data(), as: UTF8.self)
    }

    static func json(_ text: String, model: String, anthropic: Bool) -> String {
        if anthropic {
            return encode(["id": "msg_1", "type": "message", "model": model, "content": [["type": "text", "text": text]],
                           "usage": ["input_tokens": 120, "output_tokens": 40]])
        }
        return encode(["id": "chatcmpl-1", "model": model, "choices": [["index": 0, "message": ["role": "assistant", "content": text]]],
                       "usage": ["prompt_tokens": 120, "completion_tokens": 40, "total_tokens": 160]])
    }

    static func stream(_ text: String, model: String, anthropic: Bool) -> String {
        let pieces = stride(from: 0, to: text.count, by: 7).map { start -> String in
            let begin = text.index(text.startIndex, offsetBy: start)
            return String(text[begin..<text.index(begin, offsetBy: min(7, text.count - start))])
        }
        if anthropic {
            var events = ["event: message_start\ndata: " + encode(["type": "message_start", "message": ["model": model, "usage": ["input_tokens": 120]]])]
            events += pieces.map { "event: content_block_delta\ndata: " + encode(["type": "content_block_delta", "delta": ["type": "text_delta", "text": $0]]) }
            events.append("event: message_delta\ndata: " + encode(["type": "message_delta", "usage": ["output_tokens": 40]]))
            events.append("event: message_stop\ndata: " + encode(["type": "message_stop"]))
            return events.joined(separator: "\n\n") + "\n\n"
        }
        var events = pieces.map { "data: " + encode(["model": model, "choices": [["index": 0, "delta": ["content": $0]]]]) }
        events.append("data: " + encode(["model": model, "choices": [], "usage": ["prompt_tokens": 120, "completion_tokens": 40]]))
        events.append("data: [DONE]")
        return events.joined(separator: "\n\n") + "\n\n"
    }
}
