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

/// A `Set-Cookie` value for a cookie only this site's own pages send back and no script can read.
func strictCookie(_ name: String, _ value: String, maxAge: Int) -> String {
    "\(name)=\(value); Path=/; HttpOnly; SameSite=Strict; Max-Age=\(maxAge)"
}
