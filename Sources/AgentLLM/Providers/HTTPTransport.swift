import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// POSTs JSON to a model API and reads the answer whole or as server-sent events.
struct HTTPTransport: Sendable {
    static let shared = HTTPClient(eventLoopGroupProvider: .singleton)

    var client: String
    var timeout: Duration

    /// POSTs `body`; for a streaming request `onEvent` gets each SSE `data:` payload and the body is not returned.
    func post(url: String, headers: [(String, String)], body: [String: Any],
              onEvent: ((String) -> Void)? = nil) async throws(LLMError) -> Data {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "content-type", value: "application/json")
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        guard JSONSerialization.isValidJSONObject(body), let encoded = try? JSONSerialization.data(withJSONObject: body) else {
            throw LLMError(.badRequest, "the request could not be encoded as JSON", client: client)
        }
        request.body = .bytes(ByteBuffer(bytes: Array(encoded)))
        let response: HTTPClientResponse
        do {
            response = try await Self.shared.execute(request, timeout: TimeAmount(timeout))
        } catch let error as HTTPClientError where error == .deadlineExceeded || error == .readTimeout || error == .connectTimeout {
            throw LLMError(.timeout, "no answer within \(milliseconds) ms", client: client)
        } catch ChannelError.connectTimeout {
            throw LLMError(.timeout, "no connection within \(milliseconds) ms", client: client)
        } catch {
            throw LLMError(.network, "cannot reach \(Self.host(url)): \(error)", client: client)
        }
        let status = Int(response.status.code)
        guard (200..<300).contains(status) else {
            let detail = (try? await response.body.collect(upTo: 64 * 1024)).map { String(buffer: $0).prefix(300) } ?? ""
            let kind: LLMError.Kind = status == 429 ? .rateLimited : status >= 500 ? .server : status == 401 || status == 403 ? .unauthorized : .badRequest
            throw LLMError(kind, "HTTP \(status) from \(Self.host(url))\(detail.isEmpty ? "" : ": \(detail)")", client: client)
        }
        do {
            guard let onEvent else {
                return Data(try await response.body.collect(upTo: 32 * 1024 * 1024).readableBytesView)
            }
            var pending = ""
            for try await chunk in response.body {
                pending += String(buffer: chunk)
                while let newline = pending.firstIndex(of: "\n") {
                    let line = pending[..<newline].trimmingCharacters(in: .whitespacesAndNewlines)
                    pending = String(pending[pending.index(after: newline)...])
                    if line.hasPrefix("data:") { onEvent(line.dropFirst(5).trimmingCharacters(in: .whitespaces)) }
                }
            }
            if pending.hasPrefix("data:") { onEvent(pending.dropFirst(5).trimmingCharacters(in: .whitespacesAndNewlines)) }
            return Data()
        } catch let error as HTTPClientError where error == .deadlineExceeded || error == .readTimeout {
            throw LLMError(.timeout, "the answer stopped arriving within \(milliseconds) ms", client: client)
        } catch {
            throw LLMError(.network, "the answer from \(Self.host(url)) was cut off: \(error)", client: client)
        }
    }

    private var milliseconds: Int64 { timeout.components.seconds * 1000 + timeout.components.attoseconds / 1_000_000_000_000_000 }

    /// The host of a URL, for messages (never the path, which may carry keys).
    static func host(_ url: String) -> String { URL(string: url)?.host ?? "the API" }

    static func json(_ data: Data, client: String) throws(LLMError) -> [String: Any] {
        guard let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            throw LLMError(.invalidResponse, "the answer is not JSON: \(String(decoding: data.prefix(200), as: UTF8.self))", client: client)
        }
        return object
    }
}
