import Hummingbird
import Logging

/// One log line a request: method, route, path, status and duration (never headers, bodies or
/// query strings, where keys and personal data could be).
struct AccessLogMiddleware<Context: RequestContext>: RouterMiddleware {
    let logger = Logger(label: "catalynx.http")

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let clock = ContinuousClock()
        let start = clock.now
        var status = 500
        defer {
            let elapsed = clock.now - start
            let milliseconds = Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
            logger.info("request", metadata: [
                "method": .string(request.method.rawValue), "path": .string(request.uri.path), "route": .string(context.endpointPath ?? "unmatched"),
                "status": .stringConvertible(status), "duration_ms": .stringConvertible((milliseconds * 10).rounded() / 10),
            ])
        }
        let response = try await next(request, context)
        status = response.status.code
        return response
    }
}

/// The router with HEAD answered as GET without the body, on every GET route (`/health` too):
/// the method is changed before the route is looked up.
public struct HeadAsGet<Routes: HTTPResponderBuilder>: HTTPResponderBuilder where Routes.Responder.Context == BasicRequestContext {
    let routes: Routes

    public func buildResponder() -> CallbackResponder<BasicRequestContext> {
        let responder = routes.buildResponder()
        return CallbackResponder { request, context in
            guard request.method == .head else { return try await responder.respond(to: request, context: context) }
            var head = request.head
            head.method = .get
            var response = try await responder.respond(to: Request(head: head, body: request.body), context: context)
            response.body = .init()
            return response
        }
    }
}

/// Methods the server does not serve (TRACE, CONNECT, PUT, DELETE, QUERY, …), and methods a documented
/// API path does not take (POST on `/health`), are refused with 405 and the methods that path takes.
struct MethodMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let method = request.method.rawValue
        let allowed = OpenAPIDocument.methods(for: request.uri.path)
        let served = [HTTPRequest.Method.get, .head, .post, .options].contains(request.method)
        let takes = allowed.map { $0.contains(method) || (method == "HEAD" && $0.contains("GET")) || method == "OPTIONS" } ?? true
        guard !served || !takes else { return try await next(request, context) }
        let methods = allowed.map { $0.union($0.contains("GET") ? ["HEAD"] : []).sorted() } ?? ["GET", "HEAD", "POST"]
        var response = Problem(.methodNotAllowed, "Method not allowed", "\(method) is not served here; use \(methods.joined(separator: ", "))").response
        response.headers[.allow] = methods.joined(separator: ", ")
        return response
    }
}
