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
        guard let header = request.headers[.authorization], header.hasPrefix("Bearer ") else {
            throw Problem(.unauthorized, "API key required", "send `Authorization: Bearer <key>`; create one with `catalynx keys create --name NAME --scope \(needed.rawValue)`")
        }
        guard let key = try keys.verify(String(header.dropFirst("Bearer ".count)).trimmingCharacters(in: .whitespaces)) else {
            throw Problem(.unauthorized, "Invalid API key", "the key is unknown or revoked")
        }
        guard key.scope >= needed else {
            throw Problem(.forbidden, "Insufficient scope", "key '\(key.name)' has scope \(key.scope.rawValue); this request needs \(needed.rawValue)")
        }
        return try await next(request, context)
    }
}
