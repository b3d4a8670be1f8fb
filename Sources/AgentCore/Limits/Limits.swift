import Foundation

/// `concurrency: {key, limit}`: at most `limit` holders of the key at once, across every run and
/// every process sharing the run store (a workflow's runs, or a step's attempts).
public struct ConcurrencyLimit: Sendable {
    /// The key, a template (`"org-{{ organization_ein }}"`) resolved against the run's values.
    public var key: Template
    public var limit: Int
}

/// `rate_limit: {key, per_second | per_minute: N}`: at most N executions of the step per second
/// (or minute) for the key, across every run and process sharing the run store.
public struct RateLimit: Sendable {
    public var key: Template
    public var count: Int
    /// The window in seconds: 1 or 60.
    public var window: Double
}

/// Where concurrency slots and rate windows are kept: in the run store, so every process sharing
/// it sees the same ones.
public protocol LimitStore: Sendable {
    /// Takes one of `limit` slots of `key` for `holder` (or renews the one it holds) until `expires`.
    /// Slots whose holder did not renew them by their expiry (its process died) are free again.
    /// - Returns: nil when the slot is held; else the other holders, when all `limit` are taken.
    func acquireSlot(key: String, limit: Int, holder: String, expires: Date, now: Date) async throws -> [String]?

    /// Gives back the slot of `key` that `holder` holds (nothing when it holds none).
    func releaseSlot(key: String, holder: String) async throws

    /// Counts one execution of `key` in the current window of `window` seconds, if fewer than `limit` were counted in it.
    /// - Returns: nil when counted; else when the window ends.
    func takeRate(key: String, limit: Int, window: Double, now: Date) async throws -> Date?
}

extension LimitStore {
    /// The window of `window` seconds that holds `now`, as its start: the same in every process.
    public static func windowStart(_ now: Date, _ window: Double) -> Double {
        (now.timeIntervalSince1970 / window).rounded(.down) * window
    }
}
