import Hummingbird
import Metrics
import Prometheus

/// Records every request's latency as `catalynx_http_request_duration_seconds{method,route,status}`
/// (the route pattern, not the path, so run ids do not explode the label set).
struct HTTPMetricsMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let clock = ContinuousClock()
        let start = clock.now
        var status = 500
        defer {
            Timer(label: "catalynx_http_request_duration_seconds",
                  dimensions: [("method", request.method.rawValue), ("route", context.endpointPath ?? "unmatched"), ("status", String(status))])
                .record(duration: clock.now - start)
        }
        let response = try await next(request, context)
        status = response.status.code
        return response
    }
}

/// `/metrics`: everything recorded in the registry, in Prometheus' text format.
enum MetricsEndpoint {
    static func response(_ registry: PrometheusCollectorRegistry) -> Response {
        var buffer: [UInt8] = []
        registry.emit(into: &buffer)
        return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                        body: .init(byteBuffer: ByteBuffer(bytes: buffer)))
    }
}
