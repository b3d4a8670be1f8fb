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

/// TRACE and CONNECT are refused with 405 and the methods the server takes.
struct MethodMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard request.method == .trace || request.method == .connect else { return try await next(request, context) }
        var response = Problem(.methodNotAllowed, "Method not allowed", "\(request.method.rawValue) is not served; use GET, HEAD or POST").response
        response.headers[.allow] = "GET, HEAD, POST"
        return response
    }
}
