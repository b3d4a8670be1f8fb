import AgentCore
import Foundation
import Synchronization

/// A clock a test moves by hand: `now()` stands still until `advance(by:)`, and a task sleeping on
/// it wakes when the clock passes its deadline (or when it is cancelled), so that a test of a retry
/// delay, a timeout, an answer deadline or a lease takes no real time.
public final class ManualClock: EngineClock {
    private struct Sleeper {
        let deadline: Date
        let continuation: CheckedContinuation<Void, any Error>
    }

    private let state: Mutex<(now: Date, sleepers: [UUID: Sleeper])>

    public init(start: Date = Date(timeIntervalSince1970: 1_767_225_600)) {  // 2026-01-01T00:00:00Z
        state = Mutex((start, [:]))
    }

    public func now() -> Date { state.withLock { $0.now } }

    public func sleep(for duration: Duration) async throws {
        let id = UUID()
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let wakeNow: Bool = state.withLock { state in
                    let deadline = state.now.addingTimeInterval(duration.seconds)
                    guard deadline > state.now, !Task.isCancelled else { return true }
                    state.sleepers[id] = Sleeper(deadline: deadline, continuation: continuation)
                    return false
                }
                if wakeNow {
                    if Task.isCancelled { continuation.resume(throwing: CancellationError()) } else { continuation.resume() }
                }
            }
        } onCancel: {
            state.withLock { $0.sleepers.removeValue(forKey: id) }?.continuation.resume(throwing: CancellationError())
        }
    }

    /// Moves the clock on and wakes the tasks whose sleep ends by then.
    public func advance(by duration: Duration) {
        let due: [Sleeper] = state.withLock { state in
            state.now = state.now.addingTimeInterval(duration.seconds)
            let due = state.sleepers.filter { $0.value.deadline <= state.now }
            for id in due.keys { state.sleepers.removeValue(forKey: id) }
            return Array(due.values)
        }
        for sleeper in due { sleeper.continuation.resume() }
    }

    /// How many tasks sleep on the clock now (a test waits for the code under test to reach its wait).
    public var sleepers: Int { state.withLock { $0.sleepers.count } }
}

/// Run ids a test can predict: `prefix` followed by 1, 2, 3 … in the order runs are created.
public final class SequentialRunIDs: RunIDSource {
    private let prefix: String
    private let count = Mutex(0)

    public init(prefix: String = "run") { self.prefix = prefix }

    public func next(at date: Date) -> String { prefix + String(count.withLock { $0 += 1; return $0 }) }
}
