import Foundation
import Hummingbird

/// Requires `Authorization: Bearer <key>` with enough scope: write for every method but GET and
/// HEAD, read for those (unless reads are open). Keys never reach the log.
struct APIKeyMiddleware<Context: RequestContext>: RouterMiddleware {
    let keys: APIKeyStore
    let openReads: Bool

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let isRead = request.method == .get || request.method == .head
        if isRead && openReads { return try await next(request, context) }
        let needed: APIKeyStore.Scope = isRead ? .read : .write
        // The scheme is case-insensitive (RFC 9110): `Bearer`, `bearer`, `BEARER`.
        let parts = request.headers[.authorization]?.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard let parts, parts.count == 2, parts[0].lowercased() == "bearer" else {
            refused(request, context, "no bearer key")
            throw Problem(.unauthorized, "API key required", "send `Authorization: Bearer <key>`; create one with `catalynx keys create --name NAME --scope \(needed.rawValue)`")
        }
        guard let key = try keys.verify(parts[1].trimmingCharacters(in: .whitespaces)) else {
            refused(request, context, "unknown or revoked key")
            throw Problem(.unauthorized, "Invalid API key", "the key is unknown or revoked")
        }
        guard key.scope >= needed else {
            refused(request, context, "key \(key.id) lacks scope \(needed.rawValue)")
            throw Problem(.forbidden, "Insufficient scope", "key '\(key.name)' has scope \(key.scope.rawValue); this request needs \(needed.rawValue)")
        }
        return try await next(request, context)
    }

    /// Logs a refused request (what was wrong, never the key).
    private func refused(_ request: Request, _ context: Context, _ reason: String) {
        context.logger.notice("authentication failed", metadata: ["method": .string(request.method.rawValue), "path": .string(request.uri.path),
                                                                  "reason": .string(reason)])
    }
}
