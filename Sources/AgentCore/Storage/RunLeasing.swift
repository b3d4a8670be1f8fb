import Foundation

/// A store that hands runs out to workers: a worker claims runnable runs with a lease, renews it
/// while it drives them, and releases it when they stop; a lease that is not renewed expires, and
/// another worker claims the run and drives it on from its events. The optimistic appends of
/// `RunStore` make sure no step result is recorded twice.
public protocol RunLeasing: RunStore {
    /// Leases up to `limit` runs that are running or pending, or waiting for a person past an
    /// answer deadline (their fallback is due), and leased by nobody alive.
    /// - Returns: the claimed run ids.
    func claimRuns(owner: String, limit: Int, lease: Duration) async throws -> [String]

    /// Leases one run to `owner` unless someone else holds a live lease on it (the owner's own
    /// lease is extended). - Returns: whether `owner` now holds it.
    func claimRun(_ runID: String, owner: String, lease: Duration) async throws -> Bool

    /// Extends the owner's leases on these runs; returns the ones it still holds.
    func renewLeases(owner: String, runIDs: [String], lease: Duration) async throws -> Set<String>

    /// Gives a run back (it stopped: ended, waiting for a person, paused).
    func releaseLease(owner: String, runID: String) async throws

    /// Who holds a live lease on each of these runs (runs nobody drives now are left out).
    func leaseOwners(of runIDs: [String]) async throws -> [String: String]

    /// Yields whenever a run may have become claimable (a new run, a run resumed or given back),
    /// for as long as it is read; nil when the store cannot announce them (workers then poll).
    func wakeUps() -> AsyncStream<Void>?
}

extension RunLeasing {
    public func wakeUps() -> AsyncStream<Void>? { nil }
}
