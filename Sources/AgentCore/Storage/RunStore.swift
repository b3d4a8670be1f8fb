import Foundation

/// Where runs' events are kept. The engine needs nothing else: a run is its events.
///
/// Appends are optimistic: each names the version (last sequence number) it was decided on,
/// and fails with `RunStoreError.conflict` if another writer got there first. That is what lets
/// several processes (a CLI pausing a run, workers on PostgreSQL) share runs safely: no step
/// result is ever recorded on top of a state it did not see.
public protocol RunStore: Sendable {
    /// Appends events to a run in one transaction, creating the run when `expectedVersion` is 0.
    /// - Parameters:
    ///   - runID: the run.
    ///   - expectedVersion: the sequence number of the run's last event as the caller knows it.
    ///   - events: the events, numbered from `expectedVersion + 1`.
    ///   - timestamps: the time recorded on each event, one per event (a fork keeps the times of
    ///     the events it copies; everything else records one time, `append(…timestamp:)`).
    /// - Returns: the stored events with their sequence numbers.
    /// - Throws: `RunStoreError.conflict` if the run has moved on; `.notFound` if it does not exist
    ///   and `expectedVersion` is not 0.
    func append(runID: String, expectedVersion: Int, events: [EventKind], timestamps: [Date]) async throws -> [RunEvent]

    /// A run's events after sequence number `after`, in order.
    /// - Parameters:
    ///   - runID: the run.
    ///   - after: 0 for all events.
    func events(runID: String, after: Int) async throws -> [RunEvent]

    /// Runs, newest first, as a summary each.
    /// - Parameter query: filters and a limit.
    func runs(_ query: RunQuery) async throws -> [RunSummary]

    /// The full id of the run whose id is `idOrPrefix` or starts with it.
    /// - Parameter idOrPrefix: a run id, or a unique prefix of one.
    /// - Throws: `RunStoreError.notFound` or `.ambiguous`.
    func resolveRunID(_ idOrPrefix: String) async throws -> String

    /// Deletes the runs that ended (completed, failed or cancelled) before `cutoff`, with their events.
    /// - Parameters:
    ///   - cutoff: runs whose last event is older are deleted.
    ///   - keepFailed: keep failed runs (for a post-mortem).
    /// - Returns: how many runs were deleted.
    func prune(endedBefore cutoff: Date, keepFailed: Bool) async throws -> Int

    /// The store as one that hands runs out to several processes under leases (PostgreSQL); nil for a
    /// store of one process alone (SQLite, memory). Known when the store is opened: `RunDriver` reads
    /// it once to choose how runs are driven.
    var leasing: (any RunLeasing)? { get }

    /// Where the store's database keeps schedules; nil for a store that keeps none.
    var scheduleStore: (any ScheduleStore)? { get }

    /// Where the store's database keeps concurrency slots and rate windows; nil for a store that keeps none.
    var limitStore: (any LimitStore)? { get }
}

extension RunStore {
    /// Appends events that all happened at `timestamp` (see `append(runID:expectedVersion:events:timestamps:)`).
    public func append(runID: String, expectedVersion: Int, events: [EventKind], timestamp: Date) async throws -> [RunEvent] {
        try await append(runID: runID, expectedVersion: expectedVersion, events: events, timestamps: Array(repeating: timestamp, count: events.count))
    }

    public var leasing: (any RunLeasing)? { nil }
    public var scheduleStore: (any ScheduleStore)? { nil }
    public var limitStore: (any LimitStore)? { nil }

    /// On a store shared with workers, who drives each of these runs now (its live lease owner);
    /// nil on a store of one process alone.
    public func drivers(of runIDs: [String]) async throws -> [String: String]? {
        try await leasing?.leaseOwners(of: runIDs)
    }

    /// The statuses `prune` deletes.
    public static func prunedStatuses(keepFailed: Bool) -> [RunStatus] { keepFailed ? [.completed, .cancelled] : [.completed, .failed, .cancelled] }
}

/// Filters for listing runs.
public struct RunQuery: Sendable, Hashable {
    /// One run, by its full id.
    public var id: String?
    public var status: RunStatus?
    public var workflow: String?
    public var limit: Int

    public init(id: String? = nil, status: RunStatus? = nil, workflow: String? = nil, limit: Int = 50) {
        self.id = id
        self.status = status
        self.workflow = workflow
        self.limit = limit
    }
}

/// A row of the runs index: derived from the run's events, updated in the same transaction.
public struct RunSummary: Sendable, Hashable, Codable {
    public var id: String
    public var workflow: String
    public var status: RunStatus
    public var createdAt: Date
    public var updatedAt: Date
    public var version: Int

    public init(id: String, workflow: String, status: RunStatus, createdAt: Date, updatedAt: Date, version: Int) {
        self.id = id
        self.workflow = workflow
        self.status = status
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.version = version
    }
}

public enum RunStoreError: Error, Sendable, Hashable, CustomStringConvertible {
    case conflict(runID: String, expected: Int, actual: Int)
    case notFound(String)
    case ambiguous(String, matches: [String])
    case corrupt(String)

    public var description: String {
        switch self {
        case .conflict(let runID, let expected, let actual):
            "run \(runID) changed while this process was deciding (expected version \(expected), found \(actual))"
        case .notFound(let id): "no run '\(id)'"
        case .ambiguous(let prefix, let matches): "'\(prefix)' matches several runs: \(matches.prefix(5).joined(separator: ", "))"
        case .corrupt(let detail): "the run store holds data it cannot read: \(detail)"
        }
    }
}

extension RunStore {
    /// A run's state, folded from all its events.
    /// - Throws: `RunStoreError.notFound` if the run has no events.
    public func state(of runID: String) async throws -> RunState {
        let events = try await events(runID: runID, after: 0)
        guard !events.isEmpty else { throw RunStoreError.notFound(runID) }
        return RunState(runID: runID, events: events)
    }

    /// The index fields an event sequence implies, for stores that keep a runs index.
    public static func summary(of runID: String, existing: RunSummary?, appending events: [RunEvent]) -> RunSummary? {
        var summary = existing
        for event in events {
            if case .runStarted(let workflow, _, _, _) = event.kind, summary == nil {
                summary = RunSummary(id: runID, workflow: workflow, status: .running, createdAt: event.timestamp,
                                     updatedAt: event.timestamp, version: 0)
            }
            guard var current = summary else { continue }
            current.status = current.status.after(event.kind)
            current.updatedAt = event.timestamp
            current.version = event.sequence
            summary = current
        }
        return summary
    }
}

/// Run ids: sortable by creation time, unique without coordination (`run_` + 12 hex digits of
/// milliseconds + 8 random hex digits).
public enum RunID {
    /// A new id: the time in milliseconds, then random bits.
    public static func make(at date: Date) -> String { make(at: date, suffix: UInt32.random(in: .min ... .max)) }

    /// The id made of `date` and `suffix` (a scheduled tick's, the same in every process).
    public static func make(at date: Date, suffix: UInt32) -> String {
        let millis = UInt64(max(0, date.timeIntervalSince1970 * 1000))
        return "run_" + String(millis, radix: 16).leftPadded(to: 12) + String(suffix, radix: 16).leftPadded(to: 8)
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
