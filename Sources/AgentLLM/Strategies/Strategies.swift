import AgentSchema
import Synchronization

/// Retries a client by a BAML retry policy: `max_retries` more attempts on retryable errors,
/// with a constant or exponential delay.
public struct RetryingClient: LLMClient {
    let base: any LLMClient
    let policy: RetryPolicyDefinition
    public var name: String { base.name }

    public init(_ base: any LLMClient, policy: RetryPolicyDefinition) {
        self.base = base
        self.policy = policy
    }

    public func complete(_ request: LLMRequest, record: @Sendable (LLMCallRecord) -> Void) async throws(LLMError) -> LLMResponse {
        var attempt = 0
        while true {
            do {
                return try await base.complete(request, record: record)
            } catch {
                guard error.isRetryable, attempt < policy.maxRetries else { throw error }
                attempt += 1
                try? await Task.sleep(for: .milliseconds(Self.delay(policy.strategy, attempt: attempt)))
            }
        }
    }

    /// Milliseconds before retry number `attempt` (from 1).
    static func delay(_ strategy: RetryPolicyDefinition.Strategy, attempt: Int) -> Int {
        switch strategy {
        case .constantDelay(let milliseconds): return milliseconds
        case .exponentialBackoff(let milliseconds, let multiplier, let maximum):
            var delay = Double(milliseconds)
            for _ in 1..<max(1, attempt) { delay *= multiplier }
            return min(maximum, Int(delay))
        }
    }
}

/// `provider fallback`: each client in order until one answers.
public struct FallbackClient: LLMClient {
    public let name: String
    let clients: [any LLMClient]

    public init(name: String, clients: [any LLMClient]) {
        self.name = name
        self.clients = clients
    }

    public func complete(_ request: LLMRequest, record: @Sendable (LLMCallRecord) -> Void) async throws(LLMError) -> LLMResponse {
        var errors: [LLMError] = []
        for client in clients {
            do {
                return try await client.complete(request, record: record)
            } catch {
                errors.append(error)
            }
        }
        let kind: LLMError.Kind = errors.allSatisfy { $0.kind == .notConfigured } ? .notConfigured : errors.last?.kind ?? .notConfigured
        throw LLMError(kind, "every client failed: " + errors.map(\.description).joined(separator: "; "), client: name)
    }
}

/// `provider round-robin`: spreads calls over its clients in turn, moving on when one fails.
public final class RoundRobinClient: LLMClient {
    public let name: String
    let clients: [any LLMClient]
    private let next: Mutex<Int>

    public init(name: String, clients: [any LLMClient], start: Int = 0) {
        self.name = name
        self.clients = clients
        next = Mutex(clients.isEmpty ? 0 : start % clients.count)
    }

    public func complete(_ request: LLMRequest, record: @Sendable (LLMCallRecord) -> Void) async throws(LLMError) -> LLMResponse {
        guard !clients.isEmpty else { throw LLMError(.notConfigured, "round-robin has no clients", client: name) }
        let count = clients.count
        let first = next.withLock { next in
            let index = next
            next = (next + 1) % count
            return index
        }
        var errors: [LLMError] = []
        for offset in 0..<clients.count {
            do {
                return try await clients[(first + offset) % clients.count].complete(request, record: record)
            } catch {
                errors.append(error)
            }
        }
        throw LLMError(errors.last?.kind ?? .notConfigured, "every client failed: " + errors.map(\.description).joined(separator: "; "), client: name)
    }
}

/// A client that is named but cannot be used (a missing key or model); every call says why.
public struct UnconfiguredClient: LLMClient {
    public let name: String
    let reason: String

    public init(name: String, reason: String) {
        self.name = name
        self.reason = reason
    }

    public func complete(_ request: LLMRequest, record: @Sendable (LLMCallRecord) -> Void) async throws(LLMError) -> LLMResponse {
        throw LLMError(.notConfigured, reason, client: name)
    }
}
