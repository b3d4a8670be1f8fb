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

extension RunStore {
    /// On a store shared with workers, who drives each of these runs now (its live lease owner);
    /// nil on a store of one process alone.
    public func drivers(of runIDs: [String]) async throws -> [String: String]? {
        guard let leasing = self as? any RunLeasing else { return nil }
        return try await leasing.leaseOwners(of: runIDs)
    }
}

extension WorkflowEngine {
    /// Drives a run on a shared store the way a worker would, so that no worker drives it at the
    /// same time: under a lease renewed while driving; while another process holds the lease,
    /// waits for that one, and takes over if its lease expires. For processes that start or
    /// resume a run and want its outcome (the CLI), not for `RunWorker`, which claims its own.
    /// - Returns: the run's state once it stopped (ended, waiting for a person, paused).
    public func driveLeased(runID: String, leasing: any RunLeasing, owner: String, lease: Duration = .seconds(10),
                            observer: Observer? = nil) async throws -> RunState {
        while true {
            if try await leasing.claimRun(runID, owner: owner, lease: lease) {
                let renewal = Task {
                    while !Task.isCancelled {
                        try await Task.sleep(for: lease / 3)
                        _ = try await leasing.renewLeases(owner: owner, runIDs: [runID], lease: lease)
                    }
                }
                defer { renewal.cancel() }
                let state = try await drive(runID: runID, observer: observer)
                try? await leasing.releaseLease(owner: owner, runID: runID)
                return state
            }
            let state = try await store.state(of: runID)
            guard state.status.isRunnable else { return state }
            try await Task.sleep(for: .milliseconds(100))
        }
    }
}
