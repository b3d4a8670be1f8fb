import Foundation

/// The time the engine and its workers read, and how they wait: the system's in production, one a
/// test moves by hand (`TestSupport.ManualClock`), so that retries, timeouts, answer deadlines and
/// leases are tested without waiting for them. Nothing in AgentCore reads the time or sleeps but
/// through one.
public protocol EngineClock: Sendable {
    /// The wall time: event timestamps, answer deadlines, run ids.
    func now() -> Date
    /// Waits `duration` of this clock's time; throws `CancellationError` if the task is cancelled first.
    func sleep(for duration: Duration) async throws
}

/// The system's wall time and `Task.sleep`.
public struct SystemClock: EngineClock {
    public init() {}
    public func now() -> Date { Date() }
    public func sleep(for duration: Duration) async throws { try await Task.sleep(for: duration) }
}

extension EngineClock {
    /// The time from `start` to now.
    func elapsed(since start: Date) -> Duration { .seconds(now().timeIntervalSince(start)) }
}

/// Where new runs' ids come from: `RunID.make` in production, a counter in tests.
public protocol RunIDSource: Sendable {
    /// A new, unique run id for a run created at `date`.
    func next(at date: Date) -> String
}

/// Time-ordered random run ids (`RunID.make`).
public struct RandomRunIDs: RunIDSource {
    public init() {}
    public func next(at date: Date) -> String { RunID.make(at: date) }
}
