import Foundation
import Synchronization

/// A run store in memory: for tests, and as the no-op-durability baseline of benchmarks.
public final class MemoryRunStore: RunStore {
    private struct Contents {
        var events: [String: [RunEvent]] = [:]
        var summaries: [String: RunSummary] = [:]
        var schedules: [String: Schedule] = [:]
        /// Concurrency key → holder → expiry.
        var slots: [String: [String: Date]] = [:]
        /// Rate key → (window start, count).
        var rates: [String: (start: Double, count: Int)] = [:]
    }

    private let contents = Mutex(Contents())

    public init() {}

    public func append(runID: String, expectedVersion: Int, events: [EventKind], timestamps: [Date]) async throws -> [RunEvent] {
        try contents.withLock { contents in
            let existing = contents.events[runID] ?? []
            guard existing.count == expectedVersion else {
                if existing.isEmpty { throw RunStoreError.notFound(runID) }
                throw RunStoreError.conflict(runID: runID, expected: expectedVersion, actual: existing.count)
            }
            let stored = events.enumerated().map {
                RunEvent(runID: runID, sequence: expectedVersion + $0.offset + 1, timestamp: timestamps[$0.offset], kind: $0.element)
            }
            contents.events[runID, default: []].append(contentsOf: stored)
            contents.summaries[runID] = Self.summary(of: runID, existing: contents.summaries[runID], appending: stored)
            return stored
        }
    }

    public func events(runID: String, after: Int) async throws -> [RunEvent] {
        contents.withLock { $0.events[runID]?.filter { $0.sequence > after } ?? [] }
    }

    public func runs(_ query: RunQuery) async throws -> [RunSummary] {
        contents.withLock { contents in
            contents.summaries.values
                .filter { query.id == nil || $0.id == query.id }
                .filter { query.status == nil || $0.status == query.status }
                .filter { query.workflow == nil || $0.workflow == query.workflow }
                .sorted { $0.id > $1.id }
                .prefix(query.limit)
                .map { $0 }
        }
    }

    public func prune(endedBefore cutoff: Date, keepFailed: Bool) async throws -> Int {
        let statuses = Self.prunedStatuses(keepFailed: keepFailed)
        return contents.withLock { contents in
            let doomed = contents.summaries.values.filter { statuses.contains($0.status) && $0.updatedAt < cutoff }.map(\.id)
            for id in doomed {
                contents.summaries[id] = nil
                contents.events[id] = nil
            }
            return doomed.count
        }
    }

    public func resolveRunID(_ idOrPrefix: String) async throws -> String {
        let matches = contents.withLock { $0.events.keys.filter { $0.hasPrefix(idOrPrefix) } }.sorted()
        if matches.contains(idOrPrefix) { return idOrPrefix }
        guard let only = matches.first else { throw RunStoreError.notFound(idOrPrefix) }
        guard matches.count == 1 else { throw RunStoreError.ambiguous(idOrPrefix, matches: matches) }
        return only
    }
}

extension MemoryRunStore: ScheduleStore {
    public var scheduleStore: (any ScheduleStore)? { self }

    public func schedules() async throws -> [Schedule] {
        contents.withLock { $0.schedules.values.sorted { $0.name < $1.name } }
    }

    public func saveSchedule(_ schedule: Schedule, replacing: Bool) async throws -> Bool {
        contents.withLock { contents in
            guard let existing = contents.schedules[schedule.name] else {
                contents.schedules[schedule.name] = schedule
                return true
            }
            guard replacing else { return false }
            contents.schedules[schedule.name] = Schedule(spec: schedule.spec, paused: existing.paused, declaredIn: schedule.declaredIn,
                                                         lastTick: existing.lastTick, lastRunID: existing.lastRunID)
            return true
        }
    }

    public func removeSchedule(named name: String) async throws -> Bool {
        contents.withLock { $0.schedules.removeValue(forKey: name) != nil }
    }

    public func setSchedule(named name: String, paused: Bool, now: Date) async throws -> Bool {
        contents.withLock { contents in
            guard var schedule = contents.schedules[name] else { return false }
            if schedule.paused, !paused { schedule.lastTick = max(schedule.lastTick, now) }
            schedule.paused = paused
            contents.schedules[name] = schedule
            return true
        }
    }

    public func advanceSchedule(named name: String, through tick: Date, lastRunID: String?) async throws {
        contents.withLock { contents in
            guard var schedule = contents.schedules[name] else { return }
            schedule.lastTick = max(schedule.lastTick, tick)
            if let lastRunID { schedule.lastRunID = lastRunID }
            contents.schedules[name] = schedule
        }
    }
}

extension MemoryRunStore: LimitStore {
    public var limitStore: (any LimitStore)? { self }

    public func acquireSlot(key: String, limit: Int, holder: String, expires: Date, now: Date) async throws -> [String]? {
        contents.withLock { contents in
            var holders = contents.slots[key, default: [:]].filter { $0.value >= now }
            defer { contents.slots[key] = holders }
            if holders[holder] != nil || holders.count < limit {
                holders[holder] = expires
                return nil
            }
            return holders.keys.sorted()
        }
    }

    public func releaseSlot(key: String, holder: String) async throws {
        contents.withLock { _ = $0.slots[key]?.removeValue(forKey: holder) }
    }

    public func takeRate(key: String, limit: Int, window: Double, now: Date) async throws -> Date? {
        let start = Self.windowStart(now, window)
        return contents.withLock { contents in
            let counted = contents.rates[key].flatMap { $0.start == start ? $0.count : nil } ?? 0
            guard counted < limit else { return Date(timeIntervalSince1970: start + window) }
            contents.rates[key] = (start, counted + 1)
            return nil
        }
    }
}
