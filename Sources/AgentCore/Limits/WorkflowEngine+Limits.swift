import Foundation
import Synchronization

/// A concurrency slot taken for a run or a step: renewed while it is held, given back after.
struct HeldSlot: Sendable {
    var key: String
    var limit: Int
    var holder: String
}

/// The slots one drive of a run holds for its steps' executions, by step.
final class SlotBook: Sendable {
    private let slots = Mutex<[String: HeldSlot]>([:])

    func hold(_ slot: HeldSlot, for step: String) { slots.withLock { $0[step] = slot } }

    /// Removes and returns the slots of the steps `matching` says.
    func take(_ matching: (String) -> Bool) -> [HeldSlot] {
        slots.withLock { slots in
            let taken = slots.filter { matching($0.key) }
            for step in taken.keys { slots.removeValue(forKey: step) }
            return Array(taken.values)
        }
    }

    func takeAll() -> [HeldSlot] { take { _ in true } }
}

extension WorkflowEngine {
    /// Seconds a slot stays taken without renewal: a process that dies frees its slots after this.
    static let slotLease: Double = 60

    /// Whether an execution may start now.
    enum Admission {
        case admitted(HeldSlot?)
        /// Not before `retryAt`, because of `reason`.
        case refused(reason: String, retryAt: Date)
    }

    /// Takes the step's concurrency slot and counts it in its rate window, or says why it must wait.
    func admit(_ execution: StepExecution, step: WorkflowStep, state: RunState, definition: WorkflowDefinition, now: Date) async throws -> Admission {
        guard step.concurrency != nil || step.rateLimit != nil, let limits = store.limitStore else { return .admitted(nil) }
        let resolve = { (path: [String]) in state.resolve(path, in: definition) }
        var slot: HeldSlot?
        if let concurrency = step.concurrency {
            let key = (try? concurrency.key.resolve(resolve))?.displayString ?? ""
            let held = HeldSlot(key: key, limit: concurrency.limit, holder: "\(state.runID)/\(step.name)")
            if let others = try await take(held, limits, now: now) {
                return .refused(reason: Self.busy(key, concurrency.limit, others), retryAt: now.addingTimeInterval(pollInterval.seconds * 2))
            }
            slot = held
        }
        if let rate = step.rateLimit {
            let key = (try? rate.key.resolve(resolve))?.displayString ?? ""
            if let windowEnd = try await limits.takeRate(key: key, limit: rate.count, window: rate.window, now: now) {
                if let slot { try await limits.releaseSlot(key: slot.key, holder: slot.holder) }
                return .refused(reason: "rate limit '\(key)' of \(rate.count) per \(rate.window == 1 ? "second" : "minute") is reached", retryAt: windowEnd)
            }
        }
        return .admitted(slot)
    }

    /// Runs `body` while renewing `slot` (the loop gives it back once the result is recorded).
    func holding<T: Sendable>(_ slot: HeldSlot?, _ body: () async -> T) async -> T {
        guard let slot, let limits = store.limitStore else { return await body() }
        let result = await withTaskGroup(of: Void.self) { group in
            group.addTask { [clock] in
                while (try? await clock.sleep(for: .seconds(Self.slotLease / 3))) != nil {
                    _ = try? await take(slot, limits, now: clock.now())
                }
            }
            defer { group.cancelAll() }
            return await body()
        }
        return result
    }

    /// Gives back slots: of executions whose results are recorded, or that will not run.
    func release(_ slots: some Sequence<HeldSlot>) async {
        for slot in slots { try? await store.limitStore?.releaseSlot(key: slot.key, holder: slot.holder) }
    }

    /// Drives a run of a workflow with `concurrency:` once it holds the run's slot: until then the
    /// run waits (recording why, once), and it stops waiting when it is paused or cancelled.
    func withRunSlot(_ definition: WorkflowDefinition, state initial: RunState, staged: [EventKind], observer: Observer?,
                     _ body: (RunState, [EventKind]) async throws -> RunState) async throws -> RunState {
        guard let concurrency = definition.concurrency, let limits = store.limitStore else { return try await body(initial, staged) }
        var state = initial
        if !staged.isEmpty {
            for event in try await store.append(runID: state.runID, expectedVersion: state.version, events: staged, timestamp: clock.now()) {
                state.apply(event)
                observer?(event)
            }
        }
        let key = (try? concurrency.key.resolve { state.resolve($0, in: definition) })?.displayString ?? ""
        let slot = HeldSlot(key: key, limit: concurrency.limit, holder: state.runID)
        while state.status == .running, let others = try await take(slot, limits, now: clock.now()) {
            let reason = Self.busy(key, concurrency.limit, others)
            if state.throttled != reason {
                do {
                    for event in try await store.append(runID: state.runID, expectedVersion: state.version, events: [.throttled(step: nil, reason: reason)],
                                                        timestamp: clock.now()) {
                        state.apply(event)
                        observer?(event)
                    }
                } catch RunStoreError.conflict {}
            }
            try await clock.sleep(for: pollInterval * 4)
            for event in try await store.events(runID: state.runID, after: state.version) {
                state.apply(event)
                observer?(event)
            }
        }
        guard state.status == .running else { return state }
        let outcome: Result<RunState, any Error> = await holding(slot) {
            do { return .success(try await body(state, [])) } catch { return .failure(error) }
        }
        await release([slot])
        return try outcome.get()
    }

    private func take(_ slot: HeldSlot, _ limits: any LimitStore, now: Date) async throws -> [String]? {
        try await limits.acquireSlot(key: slot.key, limit: slot.limit, holder: slot.holder, expires: now.addingTimeInterval(Self.slotLease), now: now)
    }

    /// `concurrency key 'org-54-1230284' is held by run_… (limit 1)`.
    private static func busy(_ key: String, _ limit: Int, _ holders: [String]) -> String {
        "concurrency key '\(key)' is held by \(holders.sorted().joined(separator: ", ")) (limit \(limit))"
    }
}
