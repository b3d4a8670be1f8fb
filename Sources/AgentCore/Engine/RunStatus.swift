/// Where a run is in its life.
public enum RunStatus: String, Sendable, Hashable, Codable, CaseIterable {
    case pending, running, waiting, paused, completed, failed, cancelled

    /// Whether the run can change no more.
    public var isTerminal: Bool { self == .completed || self == .failed || self == .cancelled }

    /// Whether the run has steps to drive now: not waiting for a person, paused or ended.
    public var isRunnable: Bool { self == .pending || self == .running }

    /// The status after `event`: the one the event sets, unless the run has already ended.
    public func after(_ event: EventKind) -> RunStatus {
        isTerminal ? self : event.resultingStatus ?? self
    }
}

/// Where a step is in its life.
public enum StepStatus: String, Sendable, Hashable, Codable, CaseIterable {
    case pending, running, succeeded, failed, skipped, retrying, waiting

    /// Whether the step will not run again.
    public var isSettled: Bool { self == .succeeded || self == .skipped }
}
