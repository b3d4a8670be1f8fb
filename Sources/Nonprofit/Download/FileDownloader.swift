import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import ZIPFoundation

/// Downloads files over HTTP into one folder, as a user on a slow or broken line needs it:
/// a file already there and unchanged on the server (same ETag, or same Last-Modified and size) is
/// not fetched again; a download cut off is resumed where it stopped (HTTP Range, guarded by
/// If-Range so that a file changed meanwhile starts over); 429, 5xx and broken connections are
/// retried with exponential back-off; the size is checked, and a ZIP's central directory, before
/// the file takes its name (it is written as `NAME.part` until then). Beside each file,
/// `NAME.meta.json` keeps the validators it was fetched with.
public struct FileDownloader: Sendable {
    /// Where files land.
    public var directory: String
    /// Attempts per file, the first included.
    public var maxAttempts = 6
    public var initialBackoff: Duration = .milliseconds(500)
    /// The longest wait for the next bytes of a response.
    public var readTimeout: TimeAmount = .seconds(60)

    public init(directory: String) { self.directory = directory }

    /// One HTTP client for the process; a host that cannot be connected to within `connect` counts as unreachable.
    private static let http: HTTPClient = {
        var configuration = HTTPClient.Configuration()
        configuration.timeout = .init(connect: .seconds(5), read: .seconds(60))
        configuration.decompression = .disabled
        return HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }()

    /// What happened to one file.
    public enum Outcome: String, Sendable {
        /// Fetched whole.
        case downloaded
        /// Part of it was there from an earlier attempt; the rest was fetched.
        case resumed
        /// Already there and unchanged on the server.
        case unchanged
    }

    /// A file that is in the folder now.
    public struct Result: Sendable {
        public var url: String
        public var path: String
        public var outcome: Outcome
        /// The file's size.
        public var bytes: Int
        /// Bytes that crossed the network for it.
        public var transferred: Int
    }

    /// Progress of one file, every chunk or so.
    public struct Progress: Sendable {
        public var name: String
        /// Bytes of the file on disk so far.
        public var bytes: Int
        /// The file's size, when the server says.
        public var total: Int?
        /// Bytes this attempt fetched, and since when: the rate.
        public var transferred: Int
        public var seconds: Double
        public var bytesPerSecond: Double { seconds > 0 ? Double(transferred) / seconds : 0 }
    }

    /// Why a file could not be downloaded, in words a user can act on.
    public enum DownloadError: Error, Sendable, CustomStringConvertible {
        case unreachable(host: String, detail: String)
        case notFound(url: String)
        case httpStatus(Int, url: String, attempts: Int)
        case incomplete(url: String, expected: Int, received: Int, attempts: Int)
        case damaged(url: String, reason: String)

        public var description: String {
            switch self {
            case .unreachable(let host, let detail):
                "cannot reach \(host) (\(detail)): check the network connection, or give a mirror with --mirror URL or CATALYNX_IRS_MIRROR"
            case .notFound(let url): "\(url) does not exist (HTTP 404)"
            case .httpStatus(let status, let url, let attempts): "\(url) answered HTTP \(status) after \(attempts) attempt\(attempts == 1 ? "" : "s")"
            case .incomplete(let url, let expected, let received, let attempts):
                "\(url): \(received) of \(expected) bytes after \(attempts) attempts; run the command again to resume"
            case .damaged(let url, let reason): "\(url): the file arrived damaged (\(reason)); it was removed, run the command again"
            }
        }
    }

    /// The validators a file was fetched with, kept beside it.
    struct Validators: Codable, Equatable {
        var url: String
        var etag: String?
        var lastModified: String?
        var size: Int?

        enum CodingKeys: String, CodingKey { case url, etag, lastModified = "last_modified", size }

        /// Whether the server's file is the one these describe.
        func match(_ other: Validators) -> Bool {
            if let etag, let otherTag = other.etag { return etag == otherTag }
            guard lastModified != nil || other.lastModified != nil else { return false }
            return lastModified == other.lastModified && size == other.size
        }
    }

    /// Whether the server has the file (a HEAD request): false for 404, for probing which archives exist.
    /// - Throws: `DownloadError.unreachable` when offline; `.httpStatus` for other failures after retries.
    public func exists(_ url: String) async throws -> Bool {
        let head = try await headWithRetries(url)
        return head != nil
    }

    /// Downloads `url` to `name` in the folder, or leaves it there when unchanged.
    /// - Parameters:
    ///   - url: what to fetch.
    ///   - name: the file name (default: the URL's last path component).
    ///   - progress: called as bytes arrive.
    public func download(_ url: String, as name: String? = nil, progress: (@Sendable (Progress) -> Void)? = nil) async throws -> Result {
        let name = name ?? (URL(string: url)?.lastPathComponent ?? "download")
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let path = (directory as NSString).appendingPathComponent(name)
        let partPath = path + ".part"
        let metaPath = path + ".meta.json"
        let partMetaPath = partPath + ".meta.json"
        guard let remote = try await headWithRetries(url) else { throw DownloadError.notFound(url: url) }
        if FileManager.default.fileExists(atPath: path), let stored = Self.readValidators(metaPath), stored.url == url, stored.match(remote),
           remote.size == nil || remote.size == Self.size(of: path) {
            return Result(url: url, path: path, outcome: .unchanged, bytes: Self.size(of: path) ?? 0, transferred: 0)
        }
        // A part from an earlier attempt is resumed only if it is of the same file.
        if let partial = Self.readValidators(partMetaPath), !(partial.url == url && partial.match(remote)) {
            try? FileManager.default.removeItem(atPath: partPath)
        }
        try Self.writeValidators(remote, to: partMetaPath)
        var backoff = initialBackoff
        var resumedAny = false
        var transferred = 0
        var lastFailure: DownloadError = .incomplete(url: url, expected: remote.size ?? 0, received: 0, attempts: 0)
        for attempt in 1...maxAttempts {
            let offset = Self.size(of: partPath) ?? 0
            do {
                let fetched = try await fetch(url, to: partPath, from: offset, validators: remote, name: name, progress: progress)
                transferred += fetched.transferred
                if fetched.resumed { resumedAny = true }
                let size = Self.size(of: partPath) ?? 0
                if let expected = fetched.total, size != expected {
                    lastFailure = .incomplete(url: url, expected: expected, received: size, attempts: attempt)
                } else {
                    try check(partPath, url: url)
                    try? FileManager.default.removeItem(atPath: path)
                    try FileManager.default.moveItem(atPath: partPath, toPath: path)
                    var stored = remote
                    stored.size = size
                    try Self.writeValidators(stored, to: metaPath)
                    try? FileManager.default.removeItem(atPath: partMetaPath)
                    return Result(url: url, path: path, outcome: resumedAny ? .resumed : .downloaded, bytes: size, transferred: transferred)
                }
            } catch let failure as Retry {
                transferred += failure.transferred
                lastFailure = failure.error(attempt)
                if let wait = failure.retryAfter { backoff = max(backoff, wait) }
            }
            if attempt < maxAttempts {
                try await Task.sleep(for: backoff)
                backoff *= 2
            }
        }
        throw lastFailure
    }

    // MARK: Requests

    /// A failure worth another attempt.
    private struct Retry: Error {
        var error: @Sendable (_ attempts: Int) -> DownloadError
        var retryAfter: Duration?
        var transferred = 0
    }

    /// What one GET brought.
    private struct Fetched {
        var transferred: Int
        var total: Int?
        var resumed: Bool
    }

    /// The server's validators for `url`, nil for 404; retried like a download.
    private func headWithRetries(_ url: String) async throws -> Validators? {
        var backoff = initialBackoff
        for attempt in 1...maxAttempts {
            var request = HTTPClientRequest(url: url)
            request.method = .HEAD
            Self.identify(&request)
            let response: HTTPClientResponse
            do {
                response = try await Self.http.execute(request, timeout: .seconds(30))
            } catch {
                throw DownloadError.unreachable(host: Self.host(url), detail: Self.describe(error))
            }
            let status = Int(response.status.code)
            switch status {
            case 200..<300: return Self.validators(url, response.headers)
            case 404, 410: return nil
            case 405, 501: return Validators(url: url)  // no HEAD here: the GET will tell
            case 429, 500...: if attempt == maxAttempts { throw DownloadError.httpStatus(status, url: url, attempts: attempt) }
            default: throw DownloadError.httpStatus(status, url: url, attempts: attempt)
            }
            try await Task.sleep(for: Self.retryAfter(response.headers).map { max($0, backoff) } ?? backoff)
            backoff *= 2
        }
        return nil
    }

    /// GETs `url` into `partPath` from `offset` on (a Range request when there is a part already).
    private func fetch(_ url: String, to partPath: String, from offset: Int, validators: Validators, name: String,
                       progress: (@Sendable (Progress) -> Void)?) async throws -> Fetched {
        var request = HTTPClientRequest(url: url)
        Self.identify(&request)
        if offset > 0 {
            request.headers.add(name: "Range", value: "bytes=\(offset)-")
            if let validator = validators.etag ?? validators.lastModified { request.headers.add(name: "If-Range", value: validator) }
        }
        let response: HTTPClientResponse
        do {
            response = try await Self.http.execute(request, timeout: readTimeout)
        } catch {
            throw DownloadError.unreachable(host: Self.host(url), detail: Self.describe(error))
        }
        let status = Int(response.status.code)
        let resumed: Bool
        var total = response.headers.first(name: "Content-Length").flatMap(Int.init)
        switch status {
        case 206:
            guard let range = Self.contentRange(response.headers), range.start == offset else {
                throw Retry(error: { _ in .damaged(url: url, reason: "the server sent a part that does not follow the bytes already here") })
            }
            resumed = true
            total = range.total
        case 200:
            resumed = false
        case 416:
            // The part is as long as the file, or longer: start over.
            try? FileManager.default.removeItem(atPath: partPath)
            throw Retry(error: { attempts in .httpStatus(416, url: url, attempts: attempts) })
        case 404, 410: throw DownloadError.notFound(url: url)
        case 429, 500...:
            throw Retry(error: { attempts in .httpStatus(status, url: url, attempts: attempts) }, retryAfter: Self.retryAfter(response.headers))
        default: throw DownloadError.httpStatus(status, url: url, attempts: 1)
        }
        if !resumed {
            _ = FileManager.default.createFile(atPath: partPath, contents: nil)
        }
        guard let handle = FileHandle(forWritingAtPath: partPath) else {
            throw CocoaError(.fileWriteNoPermission, userInfo: [NSFilePathErrorKey: partPath])
        }
        defer { try? handle.close() }
        let start = resumed ? offset : 0
        try handle.truncate(atOffset: UInt64(start))
        try handle.seekToEnd()
        let started = Date()
        var received = 0
        var lastReport = Date.distantPast
        do {
            for try await chunk in response.body {
                try handle.write(contentsOf: chunk.readableBytesView)
                received += chunk.readableBytes
                if let progress, Date().timeIntervalSince(lastReport) > 0.2 {
                    lastReport = Date()
                    progress(Progress(name: name, bytes: start + received, total: total, transferred: received, seconds: Date().timeIntervalSince(started)))
                }
            }
        } catch {
            // A broken connection: what arrived stays in the part, and the next attempt resumes after it.
            let expected = total ?? 0
            let have = start + received
            throw Retry(error: { attempts in .incomplete(url: url, expected: expected, received: have, attempts: attempts) }, transferred: received)
        }
        progress?(Progress(name: name, bytes: start + received, total: total, transferred: received, seconds: Date().timeIntervalSince(started)))
        return Fetched(transferred: received, total: total, resumed: resumed)
    }

    /// A ZIP must open (its central directory is read); other files are taken as they came.
    private func check(_ path: String, url: String) throws {
        guard url.lowercased().hasSuffix(".zip") else { return }
        do {
            let archive = try Archive(url: URL(fileURLWithPath: path), accessMode: .read)
            var entries = 0
            for _ in archive { entries += 1 }
        } catch {
            try? FileManager.default.removeItem(atPath: path)
            throw DownloadError.damaged(url: url, reason: "not a readable ZIP archive: \(error)")
        }
    }

    // MARK: Headers and files

    private static func identify(_ request: inout HTTPClientRequest) {
        request.headers.add(name: "User-Agent", value: "catalynx/0.1 (grant research; IRS public data)")
    }

    private static func validators(_ url: String, _ headers: HTTPHeaders) -> Validators {
        Validators(url: url, etag: headers.first(name: "ETag"), lastModified: headers.first(name: "Last-Modified"),
                   size: headers.first(name: "Content-Length").flatMap(Int.init))
    }

    /// `bytes 100-199/1000` → (100, 1000).
    private static func contentRange(_ headers: HTTPHeaders) -> (start: Int, total: Int?)? {
        guard let value = headers.first(name: "Content-Range"), value.hasPrefix("bytes ") else { return nil }
        let parts = value.dropFirst(6).split(separator: "/")
        guard let range = parts.first, let start = range.split(separator: "-").first.flatMap({ Int($0) }) else { return nil }
        return (start, parts.count > 1 ? Int(parts[1]) : nil)
    }

    private static func retryAfter(_ headers: HTTPHeaders) -> Duration? {
        headers.first(name: "Retry-After").flatMap(Int.init).flatMap { $0 <= 60 ? .seconds($0) : nil }
    }

    private static func host(_ url: String) -> String {
        guard let components = URLComponents(string: url), let host = components.host else { return url }
        return components.port.map { "\(host):\($0)" } ?? host
    }

    private static func describe(_ error: any Error) -> String {
        let text = String(describing: error)
        return text.count > 160 ? String(text.prefix(160)) + "…" : text
    }

    static func size(of path: String) -> Int? {
        ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber)?.intValue
    }

    private static func readValidators(_ path: String) -> Validators? {
        FileManager.default.contents(atPath: path).flatMap { try? JSONDecoder().decode(Validators.self, from: $0) }
    }

    private static func writeValidators(_ validators: Validators, to path: String) throws {
        try JSONEncoder().encode(validators).write(to: URL(fileURLWithPath: path), options: .atomic)
    }
}
