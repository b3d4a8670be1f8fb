import Foundation

/// A local mirror of the IRS's files for tests, on 127.0.0.1: serves files by their IRS paths
/// (`/pub/irs-soi/eo_va.csv`, `/pub/epostcard/990/xml/2024/…`) with ETag, Last-Modified, HEAD and
/// Range requests (If-Range honoured), and can cut a response off mid-way to test resuming.
public final class IRSMirror: @unchecked Sendable {
    private let lock = NSLock()
    private var files: [String: Data] = [:]
    private var versions: [String: Int] = [:]
    private var cuts: [String: Int] = [:]
    private var log: [(method: String, path: String, range: String?)] = []
    private var server: LocalHTTPServer!

    public init() throws {
        server = try LocalHTTPServer(requestHandler: { [unowned self] request in self.answer(request) })
    }

    public var baseURL: String { server.baseURL }

    /// Serves `data` at `path`; a new version (a changed ETag and Last-Modified) each time it is set.
    public func serve(_ path: String, _ data: Data) {
        lock.withLock {
            files[path] = data
            versions[path, default: 0] += 1
        }
    }

    /// The next GET of `path` sends only this many bytes, then closes the connection.
    public func cutNextDownload(of path: String, after bytes: Int) {
        lock.withLock { cuts[path] = bytes }
    }

    /// The requests received so far: method, path, Range header.
    public var requests: [(method: String, path: String, range: String?)] { lock.withLock { log } }

    public func shutdown() { server.shutdown() }

    private func answer(_ request: LocalHTTPServer.Request) -> LocalHTTPServer.Response {
        lock.withLock {
            log.append((request.method, request.path, request.headers["range"]))
            guard let data = files[request.path], let version = versions[request.path] else {
                return .init(status: 404, body: Data("not found".utf8))
            }
            let etag = "\"v\(version)-\(data.count)\""
            let modified = "Mon, 0\(min(version, 9)) Dec 2026 10:00:00 GMT"
            var headers = [("ETag", etag), ("Last-Modified", modified), ("Accept-Ranges", "bytes")]
            if request.method == "HEAD" { return .init(status: 200, body: data, headers: headers, headersOnly: true) }
            var status = 200
            var body = data
            if let range = request.headers["range"], range.hasPrefix("bytes="),
               request.headers["if-range"].map({ $0 == etag || $0 == modified }) ?? true,
               let start = Int(range.dropFirst(6).split(separator: "-").first ?? "") {
                guard start < data.count else { return .init(status: 416, body: Data(), headers: [("Content-Range", "bytes */\(data.count)")]) }
                status = 206
                body = data.subdata(in: start..<data.count)
                headers.append(("Content-Range", "bytes \(start)-\(data.count - 1)/\(data.count)"))
            }
            let cut = request.method == "GET" ? cuts.removeValue(forKey: request.path) : nil
            return .init(status: status, body: body, headers: headers, cutAfter: cut)
        }
    }
}
