import Foundation
import Hummingbird

/// An `application/x-www-form-urlencoded` body: every field's values by name.
struct Form: Sendable {
    private var fields: [String: [String]] = [:]

    init(_ body: String) {
        for pair in body.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let decode = { (text: Substring) in String(text).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? "" }
            fields[decode(parts[0]), default: []].append(parts.count > 1 ? decode(parts[1]) : "")
        }
    }

    /// Reads a request's form body (at most 64 KiB).
    static func read(_ request: Request) async throws -> Form {
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: 64 << 10)
        } catch {
            throw Problem(.contentTooLarge, "Form too large", "a form may carry at most 64 KiB")
        }
        return Form(String(buffer: buffer))
    }

    /// The field's first value, trimmed; nil when absent or empty.
    subscript(_ name: String) -> String? {
        guard let value = fields[name]?.first?.trimmingCharacters(in: .whitespacesAndNewlines), !value.isEmpty else { return nil }
        return value
    }

    /// The fields whose names start with `prefix`, by the rest of their name, each its first value trimmed (empty kept).
    func fields(prefixed prefix: String) -> [String: String] {
        var found: [String: String] = [:]
        for (name, values) in fields where name.hasPrefix(prefix) && name.count > prefix.count {
            found[String(name.dropFirst(prefix.count))] = values.first?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        }
        return found
    }
}

extension Request {
    /// The value of a cookie sent with the request.
    func cookie(_ name: String) -> String? {
        for header in headers[values: .cookie] {
            for pair in header.split(separator: ";") {
                let parts = pair.split(separator: "=", maxSplits: 1)
                if parts.count == 2, parts[0].trimmingCharacters(in: .whitespaces) == name { return String(parts[1]).trimmingCharacters(in: .whitespaces) }
            }
        }
        return nil
    }
}

/// The dashboard's cookies: only this site's own pages send them back and no script can read them;
/// over HTTPS (the server's `--secure-cookies`, or a proxy saying `X-Forwarded-Proto: https`) they
/// are `Secure` and carry the `__Host-` prefix, so no other host or path can set them.
struct Cookies {
    let secure: Bool

    init(_ request: Request, alwaysSecure: Bool) {
        secure = alwaysSecure || request.headers[.init("X-Forwarded-Proto")!]?.lowercased() == "https"
    }

    /// The cookie's name as sent: `__Host-catalynx_session` when secure.
    func name(_ base: String) -> String { secure ? "__Host-" + base : base }

    /// A `Set-Cookie` value.
    func set(_ base: String, _ value: String, maxAge: Int) -> String {
        "\(name(base))=\(value); Path=/; HttpOnly; SameSite=Strict; Max-Age=\(maxAge)" + (secure ? "; Secure" : "")
    }

    /// The cookie's value in a request.
    func value(_ base: String, in request: Request) -> String? { request.cookie(name(base)) }
}
