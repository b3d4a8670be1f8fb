import Logging
import OTel
import ServiceLifecycle
import Tracing

/// OpenTelemetry traces of runs, exported over OTLP/HTTP (protobuf, or JSON with
/// `OTEL_EXPORTER_OTLP_PROTOCOL=http/json`) when `OTEL_EXPORTER_OTLP_ENDPOINT` or
/// `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` is set, configured by the standard `OTEL_*` variables;
/// off, and free, otherwise. A command starts it first and shuts it down last, which exports
/// the spans still buffered.
public final class Telemetry: Sendable {
    private let group: ServiceGroup
    private let running: Task<Void, Never>

    private init(group: ServiceGroup) {
        self.group = group
        running = Task { try? await group.run() }
    }

    /// Starts exporting traces when the environment names an endpoint.
    /// - Returns: nil when no endpoint is set (nothing is bootstrapped).
    /// - Throws: the exporter's error for a configuration it cannot use.
    public static func start(environment: [String: String]) throws -> Telemetry? {
        guard isConfigured(environment) else { return nil }
        var configuration = OTel.Configuration.default
        configuration.serviceName = "catalynx"
        configuration.logs.enabled = false
        configuration.metrics.enabled = false
        configuration.traces.otlpExporter.protocol = .httpProtobuf   // the variables may say otherwise
        let (tracer, service) = try OTel.makeTracingBackend(configuration: configuration)
        InstrumentationSystem.bootstrap(tracer)
        return Telemetry(group: ServiceGroup(services: [service], logger: Logger(label: "catalynx.telemetry")))
    }

    /// Whether the environment names an endpoint to export traces to.
    public static func isConfigured(_ environment: [String: String]) -> Bool {
        ["OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"].contains { !(environment[$0] ?? "").isEmpty }
    }

    /// Log metadata naming the current trace and span (`trace_id`, `span_id`), for log handlers.
    public static var loggingMetadata: Logger.MetadataProvider { OTel.makeLoggingMetadataProvider() }

    /// Exports the spans still buffered, then stops.
    public func shutdown() async {
        await group.triggerGracefulShutdown()
        await running.value
    }
}
