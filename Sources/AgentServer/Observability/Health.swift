import AgentCore
import Foundation
import Hummingbird

/// One dependency's health: whether the server can do its work with it, and what was seen.
public struct HealthCheck: Sendable {
    public var ok: Bool
    public var detail: Value

    public init(ok: Bool, detail: Value) {
        self.ok = ok
        self.detail = detail
    }

    /// Times a check that throws when the dependency is down.
    public static func timed(_ body: @Sendable () async throws -> Value) async -> HealthCheck {
        let clock = ContinuousClock()
        let start = clock.now
        do {
            var detail = try await body()
            let milliseconds = (clock.now - start).seconds * 1000
            if case .object(var fields) = detail {
                fields["latency_ms"] = .double((milliseconds * 100).rounded() / 100)
                detail = .object(fields)
            }
            return HealthCheck(ok: true, detail: detail)
        } catch {
            return HealthCheck(ok: false, detail: ["error": .string(String(describing: error))])
        }
    }
}

/// `/health` (the run store, round trip) and `/health/tools` (also the tool registry and every
/// check the caller registered: schemas compile, LLM configured, organization database); 503
/// when a dependency is down.
enum Health {
    static func database(_ services: ServerServices) async -> HealthCheck {
        await HealthCheck.timed {
            _ = try await services.engine.store.runs(RunQuery(limit: 1))
            return ["ok": true]
        }
    }

    static func summary(_ services: ServerServices) async -> Response {
        let database = await database(services)
        return respond(["database": database], extra: ["tools": .int(services.engine.registry.names.count)])
    }

    static func tools(_ services: ServerServices) async -> Response {
        var checks: [String: HealthCheck] = ["database": await database(services)]
        let names = services.engine.registry.names.sorted()
        checks["tools"] = HealthCheck(ok: !names.isEmpty, detail: ["count": .int(names.count), "names": .array(names.map(Value.string))])
        for (name, check) in services.healthChecks { checks[name] = await check() }
        return respond(checks)
    }

    private static func respond(_ checks: [String: HealthCheck], extra: [String: Value] = [:]) -> Response {
        let healthy = checks.values.allSatisfy(\.ok)
        var body = extra
        body["status"] = .string(healthy ? "ok" : "unavailable")
        for (name, check) in checks {
            var detail = check.detail
            if case .object(var fields) = detail {
                fields["ok"] = .bool(check.ok)
                detail = .object(fields)
            }
            body[name] = detail
        }
        return JSONResponse.make(.object(body), status: healthy ? .ok : .serviceUnavailable)
    }
}
