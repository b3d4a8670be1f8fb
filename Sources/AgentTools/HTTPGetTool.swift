import AgentCore
import AsyncHTTPClient
import Foundation
import NIOCore

/// Fetches a URL from an allow-listed host.
public struct HTTPGetTool: Tool {
    public struct Input: Codable, Sendable {
        public var url: String
        public var timeout_seconds: Double?
    }
    public struct Output: Codable, Sendable {
        public var status: Int
        public var content_type: String?
        public var body: String
        /// The body parsed as JSON, when it is JSON.
        public var json: Value?
    }

    /// Hosts the tool may contact (exact names); empty means none.
    public let allowedHosts: Set<String>
    public let maxBytes: Int

    /// - Parameters:
    ///   - allowedHosts: host names the tool may fetch from (`CATALYNX_HTTP_ALLOWED_HOSTS`).
    ///   - maxBytes: the largest body accepted.
    public init(allowedHosts: Set<String>, maxBytes: Int = 10 << 20) {
        self.allowedHosts = allowedHosts
        self.maxBytes = maxBytes
    }

    public let name = "http_get"
    public let description = "GETs `url` (http or https, allow-listed hosts only) and returns status, body and parsed JSON."

    public func execute(_ input: Input, context: ToolContext) async throws -> Output {
        guard let url = URL(string: input.url), let scheme = url.scheme?.lowercased(), ["http", "https"].contains(scheme),
              let host = url.host?.lowercased()
        else {
            throw ToolError("InvalidInput", "inputs.url: expected an http(s) URL, got '\(input.url)'")
        }
        guard allowedHosts.contains(host) else {
            let allowed = allowedHosts.isEmpty ? "no hosts are allowed" : "allowed: \(allowedHosts.sorted().joined(separator: ", "))"
            throw ToolError("NotAllowed", "host '\(host)' is not allowed (\(allowed)); set CATALYNX_HTTP_ALLOWED_HOSTS")
        }
        var request = HTTPClientRequest(url: input.url)
        request.headers.add(name: "User-Agent", value: "catalynx/0.1")
        request.headers.add(name: "Idempotency-Key", value: context.idempotencyKey)
        let timeout = TimeAmount.milliseconds(Int64((input.timeout_seconds ?? 30) * 1000))
        do {
            let response = try await HTTPClient.shared.execute(request, timeout: timeout)
            let body = String(buffer: try await response.body.collect(upTo: maxBytes))
            let status = Int(response.status.code)
            if status == 429 || status >= 500 {
                throw ToolError("Upstream", "\(host) answered \(status)", retryable: true)
            }
            return Output(status: status, content_type: response.headers.first(name: "content-type"), body: body,
                          json: try? Value(json: body))
        } catch let error as ToolError {
            throw error
        } catch {
            throw ToolError("Network", "GET \(input.url) failed: \(error)", retryable: true)
        }
    }
}
