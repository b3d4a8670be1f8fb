import CatalynxApp
import Foundation

extension APIKeyStore {
    /// The API keys of an installation (`$CATALYNX_HOME/keys.sqlite`).
    public static func open(_ configuration: Configuration) throws -> APIKeyStore {
        let path = configuration.inHome("keys.sqlite")
        do {
            return try APIKeyStore(path: path)
        } catch {
            throw ApplicationError(.failed, "cannot open the key store at \(path): \(error)")
        }
    }
}

/// The webhooks of an installation: their configuration (`--webhooks FILE`, or
/// `$CATALYNX_HOME/webhooks.yaml` when it exists), the delivery log (`$CATALYNX_HOME/webhooks.sqlite`)
/// and, when there are outbound targets, their sender.
public struct WebhookSetup: Sendable {
    public var configuration: WebhookConfiguration
    public var deliveries: DeliveryLog
    public var outbound: OutboundWebhooks?

    /// - Throws: `ApplicationError` `.badInput` with the file's line and column when it does not parse.
    public static func load(_ settings: Configuration, path: String?) throws -> WebhookSetup {
        let file = path ?? settings.inHome("webhooks.yaml")
        var configuration = WebhookConfiguration()
        if path != nil || FileManager.default.fileExists(atPath: file) {
            do {
                configuration = try WebhookConfiguration.load(path: file, environment: settings.environment)
            } catch {
                throw ApplicationError(.badInput, "\(error)")
            }
        }
        let deliveries = try DeliveryLog(path: settings.inHome("webhooks.sqlite"))
        let outbound = configuration.outbound.isEmpty ? nil
            : OutboundWebhooks(targets: configuration.outbound, log: deliveries, firstBackoff: settings.httpBackoff ?? .seconds(1))
        return WebhookSetup(configuration: configuration, deliveries: deliveries, outbound: outbound)
    }
}

extension ServerServices {
    /// What `/health/tools` checks beyond the run store and the tools: the BAML schemas, the LLM
    /// configuration (not configured is healthy: AI tools degrade) and the organization database.
    public static func applicationChecks(_ app: CatalynxApplication) -> [String: @Sendable () async -> HealthCheck] {
        let ai = app.ai
        let schemasBroken = ai.unavailableReason?.hasPrefix("baml_src does not parse") == true
        return [
            "baml_schemas": {
                HealthCheck(ok: !schemasBroken, detail: ["compiled": .bool(ai.unavailableReason == nil),
                                                         "detail": .string(ai.unavailableReason ?? "every .baml file compiles")])
            },
            "llm": {
                HealthCheck(ok: true, detail: ["configured": .bool(ai.isConfigured),
                                               "detail": .string(ai.isConfigured ? "a client is configured" : "no LLM configured: AI tools degrade and say so")])
            },
            "organizations": {
                await HealthCheck.timed {
                    let counts = try await app.organizationDatabase().counts()
                    return ["organizations": .int(counts["organizations"] ?? 0), "filings": .int(counts["filings"] ?? 0)]
                }
            },
        ]
    }
}
