import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// A client of the ProPublica Nonprofit Explorer API v2, with an on-disk cache, timeouts, and
/// retries with exponential back-off on 429 and 5xx answers (connection failures are retried
/// by AsyncHTTPClient for three seconds, then reported as unreachable).
public struct ProPublicaClient: Sendable {
    /// The API root, e.g. `https://projects.propublica.org/nonprofits/api/v2`.
    public var baseURL: String
    /// Where responses are cached (`<ein>.json`).
    public var cacheDirectory: String
    /// How long a cached response is used before it is fetched again.
    public var cacheLifetime: TimeInterval = 7 * 24 * 3600
    public var timeout: TimeAmount = .seconds(15)
    /// Attempts in all, the first included.
    public var maxAttempts = 4
    public var initialBackoff: Duration = .milliseconds(500)

    public static let defaultBaseURL = "https://projects.propublica.org/nonprofits/api/v2"

    /// One HTTP client for the process. Connection attempts are retried by AsyncHTTPClient for
    /// up to `connect` seconds; after that the host counts as unreachable.
    private static let http: HTTPClient = {
        var configuration = HTTPClient.Configuration()
        configuration.timeout = .init(connect: .seconds(3), read: .seconds(30))
        return HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }()

    public init(baseURL: String = ProPublicaClient.defaultBaseURL, cacheDirectory: String) {
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.cacheDirectory = cacheDirectory
    }

    /// Why a fetch failed, in words a user can act on.
    public enum FetchError: Error, Sendable, CustomStringConvertible {
        case notFound(EIN)
        case unreachable(host: String, detail: String)
        case httpStatus(Int, attempts: Int)

        public var description: String {
            switch self {
            case .notFound(let ein): "ProPublica has no organization with EIN \(ein.formatted)"
            case .unreachable(let host, let detail):
                "cannot reach \(host) (\(detail)); check the network connection, or import saved responses with `catalynx data import-propublica FILE`"
            case .httpStatus(let status, let attempts): "ProPublica answered HTTP \(status) after \(attempts) attempt\(attempts == 1 ? "" : "s")"
            }
        }
    }

    /// Where a fetched response came from.
    public enum Origin: String, Sendable { case cache, network }

    /// The `organizations/<ein>.json` response: from the cache while it is fresh, else from the API.
    /// - Parameters:
    ///   - ein: the organization.
    ///   - refresh: ignore the cache.
    public func organization(_ ein: EIN, refresh: Bool = false) async throws -> (data: Data, origin: Origin) {
        let cached = (cacheDirectory as NSString).appendingPathComponent("\(ein.digits).json")
        if !refresh, let attributes = try? FileManager.default.attributesOfItem(atPath: cached),
           let modified = attributes[.modificationDate] as? Date, Date().timeIntervalSince(modified) < cacheLifetime,
           let data = FileManager.default.contents(atPath: cached) {
            return (data, .cache)
        }
        let data = try await get("\(baseURL)/organizations/\(ein.digits).json", ein: ein)
        try FileManager.default.createDirectory(atPath: cacheDirectory, withIntermediateDirectories: true)
        try data.write(to: URL(fileURLWithPath: cached), options: .atomic)
        return (data, .network)
    }

    private func get(_ url: String, ein: EIN) async throws -> Data {
        let host = URL(string: url)?.host ?? url
        var backoff = initialBackoff
        var lastStatus = 0
        for attempt in 1...maxAttempts {
            var request = HTTPClientRequest(url: url)
            request.headers.add(name: "User-Agent", value: "catalynx/0.1 (grant research)")
            request.headers.add(name: "Accept", value: "application/json")
            do {
                let response = try await Self.http.execute(request, timeout: timeout)
                let body = try await response.body.collect(upTo: 32 << 20)
                let status = Int(response.status.code)
                if status == 200 { return Data(body.readableBytesView) }
                if status == 404 { throw FetchError.notFound(ein) }
                lastStatus = status
                guard status == 429 || status >= 500 else { throw FetchError.httpStatus(status, attempts: attempt) }
                if let retryAfter = response.headers.first(name: "Retry-After").flatMap(Int.init), retryAfter <= 60 {
                    backoff = max(backoff, .seconds(retryAfter))
                }
            } catch let error as FetchError {
                throw error
            } catch {
                // AsyncHTTPClient has already retried the connection for its connect timeout.
                throw FetchError.unreachable(host: host, detail: String(describing: error))
            }
            if attempt < maxAttempts {
                try await Task.sleep(for: backoff)
                backoff *= 2
            }
        }
        throw FetchError.httpStatus(lastStatus, attempts: maxAttempts)
    }
}
