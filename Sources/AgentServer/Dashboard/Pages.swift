import Foundation
import Hummingbird
import Mustache

/// The dashboard's Mustache templates (in `Templates/`), rendered into HTML responses that carry
/// a strict Content-Security-Policy: scripts only from this server (one: `Assets/live.js`), styles
/// inline, connections and forms only to this server.
struct Pages: Sendable {
    private let library: MustacheLibrary
    /// The script that follows a live run's page.
    let liveScript: String

    static let names = ["header", "footer", "signin", "error", "runs", "run", "analyze", "approvals", "organizations", "organization", "funder", "schedules"]

    init() throws {
        guard let folder = Bundle.module.url(forResource: "Templates", withExtension: nil) else {
            throw CocoaError(.fileNoSuchFile, userInfo: [NSLocalizedDescriptionKey: "the dashboard templates are missing from the installation"])
        }
        var library = MustacheLibrary()
        for name in Self.names {
            let url = folder.appendingPathComponent("\(name).mustache")
            library.register(try MustacheTemplate(string: String(contentsOf: url, encoding: .utf8)), named: name)
        }
        self.library = library
        guard let assets = Bundle.module.url(forResource: "Assets", withExtension: nil) else {
            throw CocoaError(.fileNoSuchFile, userInfo: [NSLocalizedDescriptionKey: "the dashboard script is missing from the installation"])
        }
        liveScript = try String(contentsOf: assets.appendingPathComponent("live.js"), encoding: .utf8)
    }

    static let securityHeaders: HTTPFields = [
        .contentSecurityPolicy: "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'unsafe-inline'; img-src 'self' data:; "
            + "form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
        .xContentTypeOptions: "nosniff", .cacheControl: "no-store",
    ]

    /// The page `name` with `view`, as a response.
    func render(_ name: String, _ view: [String: Any], status: HTTPResponse.Status = .ok, headers extra: HTTPFields = [:]) -> Response {
        var headers = Self.securityHeaders
        headers[.contentType] = "text/html; charset=utf-8"
        headers[HTTPFields.Element.Name("Referrer-Policy")!] = "same-origin"
        headers.append(contentsOf: extra)
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: library.render(view, withTemplate: name) ?? "")))
    }

    /// A 303 to `location` (after a form, or to the sign-in page).
    static func redirect(_ location: String, headers extra: HTTPFields = [:]) -> Response {
        var headers = extra
        headers[.location] = location
        return Response(status: .seeOther, headers: headers)
    }
}
